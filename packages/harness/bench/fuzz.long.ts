// The long fuzz run (issue 7, hostile input): ≥ 1,000,000 inputs through the wire decoder, the
// Raft message handler and a live 3-node cluster with a cluster secret; prints inputs/s and the
// outcome counts, and exits 1 on any failure.
//   node --conditions=@adore/source --import tsx packages/harness/bench/fuzz.long.ts [total] [seed]
import { getScheme } from "@adore/schemes";
import { AdoreClient } from "@adore/runtime-node";
import { fuzzLiveNode } from "../src/fuzz/live.js";
import { fuzzMessages } from "../src/fuzz/messages.js";
import type { FuzzFailure, Outcomes } from "../src/fuzz/rng.js";
import { fuzzWire } from "../src/fuzz/wire.js";
import { decode } from "@adore/runtime-node";
import { TestCluster, until } from "@adore/runtime-node/testing";

const total = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const share = { wire: 0.5, messages: 0.42, live: 0.08 };
const failures: FuzzFailure[] = [];
const rows: Array<{ part: string; inputs: number; seconds: number; outcomes: Outcomes }> = [];

function timed<T extends { outcomes: Outcomes }>(part: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  rows.push({
    part,
    inputs: r.outcomes.inputs,
    seconds: (performance.now() - t0) / 1000,
    outcomes: r.outcomes,
  });
  return r;
}

// (a) the wire decoder, in batches (one seed each) so progress shows
{
  const n = Math.round(total * share.wire);
  const t0 = performance.now();
  let all: Outcomes | undefined;
  for (let done = 0, b = 0; done < n; b++) {
    const k = Math.min(100_000, n - done);
    const r = fuzzWire({ seed: seed * 1000 + b, inputs: k });
    failures.push(...r.failures);
    if (all) all.merge(r.outcomes);
    else all = r.outcomes;
    done += k;
    process.stderr.write(`wire ${done}/${n}\n`);
  }
  rows.push({
    part: "wire decoder",
    inputs: all!.inputs,
    seconds: (performance.now() - t0) / 1000,
    outcomes: all!,
  });
}

// (b) the message handler (every 10th input also checked for purity by fingerprint)
{
  const n = Math.round(total * share.messages);
  const r = timed("message handler", () => fuzzMessages({ seed, inputs: n, purityEvery: 10 }));
  failures.push(...r.failures);
  process.stderr.write(`messages ${n}\n`);
}

// the same without the node's admission check: what raft-net's validation alone lets through
// (not counted in the total; reported so the gap stays visible)
const raw = fuzzMessages({ seed, inputs: 50_000, purityEvery: 50, admission: false });
const rawThrows = raw.failures.filter((f) => f.what === "threw");

// (c) a live 3-node cluster with a secret, a client writing all along
{
  const n = Math.round(total * share.live);
  const SECRET = "long-fuzz-secret";
  const cluster = await TestCluster.start(3, { clusterSecret: SECRET });
  const t0 = performance.now();
  const c = new AdoreClient({ endpoints: cluster.endpoints(), timeoutMs: 10_000 });
  const attempted = new Map<string, string>();
  const acked = new Map<string, string>();
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      attempted.set(`w/${i}`, `v${i}`);
      try {
        await c.put(`w/${i}`, `v${i}`);
        acked.set(`w/${i}`, `v${i}`);
      } catch {
        // unknown outcome
      }
    }
  })();
  const reg = getScheme("raft-single");
  let all: Outcomes | undefined;
  let round = 0;
  for (let done = 0; done < n; round++) {
    const leader = await cluster.waitLeader();
    const target = round % 2 === 0 ? leader : [...cluster.nodes.values()].find((x) => !x.isLeader)!;
    const st = target.status();
    const peerFrames = Math.min(20_000, n - done);
    const o = await fuzzLiveNode({
      peerAddr: target.peerAddress,
      targetId: target.id,
      clusterId: cluster.clusterId,
      secret: SECRET,
      asPeer: [1, 2, 3].find((id) => id !== target.id)!,
      reg,
      seed: seed * 7919 + round,
      strangers: Math.round(peerFrames / 40),
      peerFrames,
      term: st.term,
      lastIndex: st.lastIndex,
      commit: st.commit,
    });
    if (all) all.merge(o);
    else all = o;
    done += o.inputs;
    process.stderr.write(`live ${done}/${n}\n`);
  }
  stop = true;
  await writer;
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ part: "live node (3 nodes, secret)", inputs: all!.inputs, seconds, outcomes: all! });
  // the verdict: no node down, every acked write there, nothing else
  const alive = [...cluster.nodes.values()].every((x) => !x.isClosed);
  await c.put("after-fuzz", "ok");
  const l = await cluster.waitLeader();
  const commit = l.status().commit;
  for (const x of cluster.nodes.values()) await until(() => x.appliedIndex >= commit, 20_000);
  const kvs = [...cluster.nodes.values()].map((x) => {
    const s = decode(x.state.snapshot()) as { kv: string[] };
    return s.kv;
  });
  const same = kvs.every((kv) => JSON.stringify(kv) === JSON.stringify(kvs[0]));
  const kv = new Map<string, string>();
  for (let i = 0; i < kvs[0]!.length; i += 2) kv.set(kvs[0]![i]!, kvs[0]![i + 1]!);
  const missing = [...acked].filter(([k, v]) => kv.get(k) !== v).length;
  const foreign = [...kv].filter(([k, v]) => (k === "after-fuzz" ? "ok" : attempted.get(k)) !== v).length;
  const accepted = all!.get("stranger:ACCEPTED");
  console.log(
    `live verdict: nodes alive ${alive}, replicas agree ${same}, acked writes ${acked.size}, missing ${missing}, foreign keys ${foreign}, strangers accepted ${accepted}`,
  );
  if (!alive || !same || missing > 0 || foreign > 0 || accepted > 0)
    failures.push({ what: "live", seed, input: -1, detail: "live verdict failed" });
  c.close();
  await cluster.close();
}

const sum = rows.reduce((a, r) => a + r.inputs, 0);
const secs = rows.reduce((a, r) => a + r.seconds, 0);
console.log("\npart                          inputs     seconds   inputs/s");
for (const r of rows)
  console.log(
    `${r.part.padEnd(28)}  ${String(r.inputs).padStart(9)}  ${r.seconds.toFixed(1).padStart(8)}  ${Math.round(
      r.inputs / r.seconds,
    )
      .toString()
      .padStart(9)}`,
  );
console.log(
  `${"total".padEnd(28)}  ${String(sum).padStart(9)}  ${secs.toFixed(1).padStart(8)}  ${Math.round(sum / secs)
    .toString()
    .padStart(9)}`,
);
for (const r of rows) console.log(`\n${r.part} outcomes:`, JSON.stringify(r.outcomes.toJSON()));
console.log(
  `\nwithout admission (raft-net validation alone), 50000 messages: ${rawThrows.length} made stepServer throw` +
    (rawThrows[0] ? ` — e.g. ${rawThrows[0].detail.split("\n")[0]}` : ""),
);
console.log(`\nfailures: ${failures.length}`);
for (const f of failures.slice(0, 10)) console.log(f);
process.exitCode = failures.length > 0 ? 1 : 0;
