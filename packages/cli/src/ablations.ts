import type { AdoreOptions, Recency } from "@adore/adore-core";
import { consoleOutput, describeRules, type Output, runExplore } from "./explore.js";

export interface AblationRow {
  readonly ablation: string;
  readonly recency: Recency;
  readonly nodes: number;
  readonly verdict: "violation" | "none within bound";
  readonly depth: number;
  readonly states: number;
  readonly seconds: number;
  readonly status: string;
}

export const ABLATIONS: ReadonlyArray<readonly [string, Partial<AdoreOptions>]> = [
  ["none (paper's rules)", {}],
  ["drop R1⁺", { r1plus: false }],
  ["drop R2", { r2: false }],
  ["drop R3", { r3: false }],
  ["drop Q_ok", { qok: false }],
  ["times ≤ t", { strictTime: false }],
];

/**
 * Runs the explorer for each ablation, alone and with the raft-log pull, checking Replicated State
 * Safety (Def. 4.1); with `retryNodes`, a run that finds nothing on `nodes` is repeated on that many.
 */
export function runAblations(
  o: {
    nodes: number;
    retryNodes?: number;
    depth: number;
    maxTime: number;
    methods: number;
    reconfigs: number;
    maxSeconds?: number;
  },
  io: Output = consoleOutput,
): AblationRow[] {
  const rows: AblationRow[] = [];
  const quiet: Output = { out: () => {}, progress: io.progress };
  for (const recency of ["adore", "raft-log"] as const)
    for (const [name, rules] of ABLATIONS) {
      const attempt = (nodes: number) => {
        const r = runExplore(
          {
            scheme: "raft-single",
            nodes,
            depth: o.depth,
            maxTime: o.maxTime,
            methods: o.methods,
            reconfigs: o.reconfigs,
            symmetry: true,
            invariants: ["ReplicatedStateSafety"],
            rules: { ...rules, recency },
            ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
          },
          quiet,
        );
        const row: AblationRow = {
          ablation: name,
          recency,
          nodes,
          verdict: r.violation ? "violation" : "none within bound",
          depth: r.violation ? r.violation.trace.steps.length : r.depth,
          states: r.states,
          seconds: r.elapsedMs / 1000,
          status: r.status,
        };
        io.out(
          `${describeRules({ ...rules, recency }).padEnd(48)} ${nodes} nodes: ${row.verdict}` +
            `${r.violation ? ` at depth ${row.depth}` : ` (${r.status}, depth ${r.depth})`}, ${r.states.toLocaleString("en-US")} states, ${row.seconds.toFixed(1)} s`,
        );
        return row;
      };
      let row = attempt(o.nodes);
      if (row.verdict !== "violation" && o.retryNodes) row = attempt(o.retryNodes);
      rows.push(row);
    }
  io.out("");
  io.out("| ablation | pull | nodes | safety violation | depth | states explored | time |");
  io.out("|---|---|---|---|---|---|---|");
  for (const r of rows)
    io.out(
      `| ${r.ablation} | ${r.recency} | ${r.nodes} | ${r.verdict === "violation" ? "**yes**" : `no (${r.status})`} | ${r.depth} | ${r.states.toLocaleString("en-US")} | ${r.seconds.toFixed(1)} s |`,
    );
  return rows;
}
