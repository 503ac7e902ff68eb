import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NodeId, range, type Scheme } from "@adore/adore-core";
import {
  type Input,
  type Membership,
  type Mutations,
  newServer,
  type RaftServer,
  stepServer,
} from "@adore/raft-net";
import { HUNT_WEIGHTS, runSimulation, type SimOptions, simParams } from "@adore/raft-net/testing";
import { getScheme } from "@adore/schemes";
import { afterAll, describe, expect, it } from "vitest";
import { lagCheckSeed } from "../src/refine/search.js";
import { refineTraceDir } from "../src/validate/global.js";
import { validateTraceDir } from "../src/validate/traces.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Runs a raft-net simulation and writes what every node received as runtime-node's TraceWriter
 * would: a "start" line per run, then "input" lines (the input, and its `persisted`
 * acknowledgement as a separate input, as runtime-node feeds it) each followed by its "output".
 */
function recordSim(name: string, o: SimOptions<unknown>): { dir: string; steps: number; violation?: string } {
  const dir = mkdtempSync(join(tmpdir(), "adore-global-"));
  dirs.push(dir);
  const p = simParams(o);
  const lines = new Map<NodeId, string[]>();
  const seq = new Map<NodeId, number>();
  const servers = new Map<NodeId, RaftServer<unknown>>();
  const write = (id: NodeId, kind: string, body: Record<string, unknown>) => {
    const s = seq.get(id) ?? 0;
    seq.set(id, s + 1);
    const ls = lines.get(id) ?? [];
    ls.push(JSON.stringify({ seq: s, node: id, kind, ...body }));
    lines.set(id, ls);
  };
  const bootstrap: Membership<unknown> = { config: o.initial, learners: 0 };
  const start = (id: NodeId, seed: number, membership: Membership<unknown>) => {
    seq.set(id, 0);
    write(id, "start", { scheme: name, seed, options: p.options, membership, bootstrap });
    servers.set(id, newServer(id, membership, p, seed));
  };
  const feed = (id: NodeId, input: Input<unknown>) => {
    write(id, "input", { input });
    const r = stepServer(servers.get(id)!, input, p);
    servers.set(id, r.server);
    if (r.outputs.events.length > 0 || r.rejected)
      write(id, "output", {
        input: input.type,
        events: r.outputs.events,
        ...(r.rejected ? { rejected: r.rejected } : {}),
      });
    return r;
  };
  for (let id = 1; id <= 30; id++) if (o.universe & (1 << id)) start(id, o.seed * 7919 + id, bootstrap);
  const run = runSimulation(o, {
    onStep: (s) => {
      for (const d of s.driven) {
        if (d.kind === "crash") continue;
        if (d.kind === "restart") {
          const durable = s.cluster.nodes.get(d.id)!.durable;
          const seed = d.seed * 104729 + d.id;
          start(d.id, seed, durable.snapshot.membership);
          feed(d.id, { type: "restart", durable, seed });
          continue;
        }
        const r = feed(d.id, d.input);
        const pe = r.outputs.persist?.entries;
        const last = pe?.entries[pe.entries.length - 1];
        if (last) feed(d.id, { type: "persisted", index: last.index, term: last.term });
      }
      // the replay must follow the simulation exactly
      for (const [id, n] of s.cluster.nodes) {
        const mine = servers.get(id)!;
        expect([mine.term, mine.commit, mine.log.lastIndex]).toEqual([
          n.server.term,
          n.server.commit,
          n.server.log.lastIndex,
        ]);
      }
      return true;
    },
  });
  for (const [id, ls] of lines) writeFileSync(join(dir, `trace-${id}.ndjson`), `${ls.join("\n")}\n`);
  const v = run.result.violation;
  return { dir, steps: run.result.steps, ...(v !== undefined ? { violation: v } : {}) };
}

function simOf(name: string, n: number, seed: number, extra: Partial<SimOptions<unknown>> = {}) {
  const reg = getScheme(name);
  return {
    scheme: reg.scheme as Scheme<unknown>,
    initial: reg.initial(n),
    universe: range(n),
    seed,
    steps: 300,
    ...extra,
  };
}

describe("refineTraceDir: recorded traces through the lagging mapping M4 and the relation R", () => {
  it("simulated real-protocol runs (with crashes and restarts) validate and refine", () => {
    let steps = 0;
    let restarts = 0;
    let relaxed = 0;
    for (const [name, n] of [
      ["raft-single", 3],
      ["raft-single", 5],
      ["static", 3],
    ] as const)
      for (let seed = 1; seed <= 6; seed++) {
        const weights = seed % 2 === 0 ? HUNT_WEIGHTS : {};
        const rec = recordSim(name, simOf(name, n, seed, { weights }));
        expect(rec.violation).toBeUndefined();
        const v = validateTraceDir(rec.dir);
        expect(v.violations).toEqual([]);
        expect(v.ok).toBe(true);
        const g = refineTraceDir(rec.dir);
        if (!g.ok) throw new Error(`${name}/${n} seed ${seed}: ${JSON.stringify(g.failure)}`);
        // the simulator duplicates messages: a duplicate may be matched to a later identical send
        expect(g.relaxedEdges).toBeLessThanOrEqual(g.matchedReceives);
        relaxed += g.relaxedEdges;
        expect(g.steps).toBe(g.inputs);
        steps += g.steps;
        restarts += g.runs - g.nodes;
      }
    console.log(
      `simulated traces: ${steps} inputs refined in one causal order, ${restarts} restarts, ${relaxed} message edges relaxed`,
    );
    expect(restarts).toBeGreaterThan(0);
  });

  it("a mutant (dropR3) is reported as failing", () => {
    const mutations: Mutations = { dropR3: true };
    let found: { seed: number; failure: unknown } | undefined;
    let tried = 0;
    for (let seed = 1; seed <= 300 && !found; seed++) {
      const o = simOf("raft-single", 3, seed, { weights: HUNT_WEIGHTS, steps: 200, mutations });
      // hunt with raft-net's own checks and the online refiner first (cheap), then record that seed
      const online = lagCheckSeed({ ...o, refinementOnly: false }, "M4", seed);
      if (!online.failure) continue;
      tried++;
      const rec = recordSim("raft-single", o);
      const g = refineTraceDir(rec.dir);
      if (!g.ok) found = { seed, failure: g.failure };
    }
    expect(found, `no failing trace among ${tried} failing seeds`).toBeDefined();
    console.log(
      `dropR3: seed ${found!.seed} (${tried} failing seeds tried): ${JSON.stringify(found!.failure)}`,
    );
  });
});
