import {
  type AdoreState,
  FIG12_PAPER,
  FIG12_WITH_R3,
  type FixtureStep,
  type NodeSet,
} from "@adore/adore-core";
import { FIG12_CONFIG, type ModelConfig } from "./model.js";
import type { BuiltModel } from "./model.js";
import { attempt, type Attempt, type Walk } from "./trace.js";

/** The built-in examples: Fig. 12 as the paper prints it (R3 off) and as R3 forces it. */
export interface Example {
  readonly id: "fig12" | "fig12-r3";
  readonly title: string;
  readonly config: ModelConfig;
  readonly fixture: readonly FixtureStep[];
}

export const EXAMPLES: readonly Example[] = [
  {
    id: "fig12",
    title: "Fig. 12 without R3 (raft-log pull): S1 and S2 commit on two branches",
    config: FIG12_CONFIG,
    fixture: FIG12_PAPER,
  },
  {
    id: "fig12-r3",
    title: "Fig. 12 with R3: each leader commits in its own time first; S1's last election is no quorum",
    config: { ...FIG12_CONFIG, rules: { ...FIG12_CONFIG.rules, r3: true } },
    fixture: FIG12_WITH_R3,
  },
];

/** Replays a fixture (each step built from the state at that point), keeping rejected steps and the narration. */
export function fixtureWalk(m: BuiltModel, fixture: readonly FixtureStep[]): Walk {
  const initial = m.spec.init(m.bounds);
  const attempts: Attempt[] = [];
  let st = initial;
  for (const f of fixture) {
    const a = f.build(st as AdoreState<NodeSet>);
    const at = { ...attempt(m, st, a), note: f.say };
    attempts.push(at);
    st = at.after;
  }
  return { initial, attempts };
}
