import { adoreModel, adoreSpec, explore, range } from "@adore/adore-core";
import { raftSingle } from "@adore/schemes";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Explorer benchmark: ADORE under raft-single, 4 nodes, R3 off with the raft-log pull (the
 * demo's search space), to a fixed depth. Prints states/s for the default configuration and for
 * its peers in the same run: without symmetry reduction, and with exact keys instead of fingerprints.
 */
export function runBench(o: { depth: number }): void {
  const spec = adoreSpec(adoreModel(raftSingle, range(4), { recency: "raft-log", r3: false }));
  const bounds = { nodes: 4, maxTime: 3, maxMethods: 1, maxReconfigs: 2 };
  const rows: Array<[string, ReturnType<typeof explore>]> = [];
  const configs: Array<[string, { symmetry: boolean; exact: boolean }]> = [
    ["fingerprints + symmetry (default)", { symmetry: true, exact: false }],
    ["fingerprints, no symmetry", { symmetry: false, exact: false }],
    ["exact keys + symmetry", { symmetry: true, exact: true }],
  ];
  console.log(
    `ADORE[raft-single], 4 nodes, time ≤ 3, ≤ 1 method, ≤ 2 reconfigs, no R3, raft-log pull, depth ≤ ${o.depth}`,
  );
  for (const [name, c] of configs) {
    const r = explore(spec, { bounds, maxDepth: o.depth, invariants: ["ReplicatedStateSafety"], ...c });
    rows.push([name, r]);
    console.log(
      `${name.padEnd(36)} ${fmt(r.states).padStart(11)} states ${fmt(r.transitions).padStart(11)} transitions ` +
        `${(r.elapsedMs / 1000).toFixed(2).padStart(7)} s ${fmt(r.statesPerSec).padStart(9)} states/s ${fmt(r.transitionsPerSec).padStart(9)} transitions/s`,
    );
  }
  const base = rows[0]![1];
  for (const [name, r] of rows.slice(1))
    console.log(
      `default vs ${name}: ${(base.statesPerSec / r.statesPerSec).toFixed(2)}× states/s, ` +
        `${(r.elapsedMs / base.elapsedMs).toFixed(2)}× faster to the same depth`,
    );
}
