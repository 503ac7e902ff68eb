// The fault harness (src/faults): the proxy network on its own, the seeded schedule, a short run
// of the real thing (node processes on loopback, nemesis, workload, checks) that must pass, and a
// deliberately broken build (--unsafe-local-reads) that the harness must catch. A longer run is
// behind ADORE_LONG_TESTS=1 (the full-length one is bench/faults.long.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FAULT_KINDS, makeSchedule } from "../src/faults/nemesis.js";
import { Network } from "../src/faults/network.js";
import { runFaultHarness } from "../src/faults/harness.js";
import { formatFaultSummary } from "../src/faults/summary.js";
import { encode } from "@adore/runtime-node";
import { encodeFrame } from "@adore/runtime-node";

const root = mkdtempSync(join(tmpdir(), "adore-faults-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const LONG = process.env.ADORE_LONG_TESTS === "1";

const hello = (from: number, to: number) =>
  encodeFrame(encode({ type: "hello", clusterId: "t", nodeId: from, to, protocol: 1 }));

/** A connection through the proxy that sends a hello from `from`, then `payload`. */
function dial(net: Network, from: number, to: number, payload: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const [host, port] = net.address(to).split(":") as [string, string];
    const s = tcpConnect({ host, port: Number(port) }, () => {
      s.write(Buffer.concat([hello(from, to), Buffer.from(payload)]));
      resolve(s);
    });
    s.on("error", reject);
    s.on("data", () => undefined); // read (and so see the end of) the stream
  });
}
const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once("close", () => r())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the proxy network", () => {
  it("identifies the source from the hello, forwards, cuts (asymmetric), refuses while cut, delays and heals", async () => {
    // a fake node 2 that records what each connection delivered after the hello frame
    const received: string[] = [];
    const server: Server = createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const len = buf.readUInt32BE(0) + 4;
        if (buf.length > len) received.push(buf.subarray(len).toString());
        s.write("ack");
      });
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const target = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const net = await Network.start([1, 2, 3], (id) => (id === 2 ? target : undefined));
    try {
      const a = await dial(net, 1, 2, "from-1");
      const b = await dial(net, 3, 2, "from-3");
      await sleep(100);
      expect(received.sort()).toEqual(["from-1", "from-3"]);
      expect(net.stats.accepted).toBe(2);

      net.cut(1, 2); // 1 → 2 only: node 3's connection lives on
      await closed(a);
      expect(b.destroyed).toBe(false);
      expect(net.isCut(2, 1)).toBe(false);
      const again = await dial(net, 1, 2, "refused");
      await closed(again);
      expect(net.stats.refused).toBe(1);
      expect(received).not.toContain("refused");

      net.heal();
      net.delay(1, 2, 300);
      const t0 = Date.now();
      const c = await dial(net, 1, 2, "late");
      while (!received.includes("late") && Date.now() - t0 < 3000) await sleep(20);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(280);

      net.partition([[1], [2, 3]]);
      await closed(c);
      await sleep(50);
      expect(b.destroyed).toBe(false); // 3 → 2 is inside one group
      expect(net.cutLinks).toEqual(["1>2", "1>3", "2>1", "3>1"]);
      net.heal();
      expect(net.cutLinks).toEqual([]);
      const d = await dial(net, 3, 2, "healed");
      await sleep(100);
      expect(received).toContain("healed");
      d.destroy();
    } finally {
      await net.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("the nemesis schedule", () => {
  it("is a function of the seed, bounded by the duration, and covers every fault kind", () => {
    const a = makeSchedule({ seed: 5, durationMs: 30_000, scheme: "raft-single" });
    const b = makeSchedule({ seed: 5, durationMs: 30_000, scheme: "raft-single" });
    const c = makeSchedule({ seed: 6, durationMs: 30_000, scheme: "raft-single" });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const f of a.faults) expect(f.at + f.durationMs).toBeLessThanOrEqual(30_000);
    expect(new Set(a.faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    expect(a.reconfigs.length).toBeGreaterThan(3);
    expect(a.reconfigs.some((r) => r.kind === "misuse")).toBe(true);
    const j = makeSchedule({ seed: 5, durationMs: 30_000, scheme: "raft-joint" });
    expect(j.reconfigs.some((r) => r.kind === "joint")).toBe(true);
  });
});

describe("fault runs on a real cluster", () => {
  it("a short seeded run (3 nodes, raft-single) stays linearizable, keeps acknowledged writes, and its traces validate", async () => {
    const s = await runFaultHarness({
      seed: Number(process.env.ADORE_FAULT_SEED ?? 11),
      durationMs: 25_000,
      nodes: 3,
      scheme: "raft-single",
      dir: join(root, "short"),
      scheduleOptions: { faultMs: [700, 2000], gapMs: [200, 700], reconfigGapMs: [1500, 3000] },
    });
    console.log(formatFaultSummary(s).join("\n"));
    expect(s.verdicts.linearizability).toBe("linearizable");
    expect(s.writeOnce.lost).toEqual([]);
    expect(s.writeOnce.phantom).toEqual([]);
    expect(s.traces.violations).toEqual([]);
    expect(s.verdicts.settled).toBe(true);
    expect(s.verdicts.safetyAlarms).toBe(0);
    // membership misuses (a re-address, a phantom voter, …) were refused and changed nothing
    expect(s.reconfigurations.misuse.accepted).toEqual([]);
    expect(s.reconfigurations.misuse.changed).toEqual([]);
    expect(
      Object.values(s.reconfigurations.misuse.refused).reduce((a, n) => a + n, 0),
    ).toBeGreaterThanOrEqual(1);
    expect(s.verdicts.misusesRefused).toBe(true);
    expect(s.ok).toBe(true);
    // the run did what it says: faults of every kind, reconfigurations, a real workload
    expect(FAULT_KINDS.filter((k) => s.faults[k] > 0).length).toBeGreaterThanOrEqual(4);
    expect(Object.values(s.faults).reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(6);
    expect(Object.values(s.reconfigurations.done).reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(2);
    expect(s.operations.get.ok + s.operations.put.ok + s.operations.cas.ok).toBeGreaterThan(300);
    expect(s.writeOnce.acknowledged).toBeGreaterThan(5);
  }, 110_000);

  it("catches a deliberately broken build: --unsafe-local-reads (no ReadIndex) with the leader partitioned away", async () => {
    const s = await runFaultHarness({
      seed: 3,
      durationMs: 9_000,
      nodes: 3,
      scheme: "raft-single",
      unsafeLocalReads: true,
      dir: join(root, "broken"),
      // a targeted schedule: isolate the leader; its clients keep reading from it
      schedule: {
        faults: [{ at: 2_000, kind: "isolate-leader", durationMs: 5_000, pick: 0, pick2: 0 }],
        reconfigs: [],
      },
    });
    console.log(formatFaultSummary(s).join("\n"));
    expect(s.faults["isolate-leader"]).toBe(1);
    expect(s.verdicts.linearizability).toBe("not-linearizable");
    expect(s.ok).toBe(false);
    // the report carries a minimal fragment: a read that returned a value a later write had replaced
    const text = s.lincheck.join("\n");
    expect(text).toMatch(/^not linearizable/);
    expect(text).toMatch(/minimal non-linearizable fragment/);
    expect(text).toMatch(/get\("k\d+\.\d+"\)/);
    // the protocol itself stayed safe: only the reads were broken
    expect(s.traces.violations).toEqual([]);
  }, 90_000);

  it.runIf(LONG)(
    "a longer run: 5 nodes, raft-joint, 90 s",
    async () => {
      const s = await runFaultHarness({
        seed: Number(process.env.ADORE_FAULT_SEED ?? 2),
        durationMs: 90_000,
        nodes: 5,
        scheme: "raft-joint",
        dir: join(root, "long"),
      });
      console.log(formatFaultSummary(s).join("\n"));
      expect(s.ok).toBe(true);
    },
    300_000,
  );
});
