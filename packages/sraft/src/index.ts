// Public API of @adore/sraft: SRaft (section 5) as a Spec for adore-core's explorer.
export type {
  Round,
  RoundResult,
  SRaftBounds,
  SRaftOptions,
  SRaftSpec,
  SRaftState,
  SRaftStep,
} from "./sraft.js";
export { applyRound, applySRaftStep, deliverValid, ignored, showSRaftStep, sraftSpec } from "./sraft.js";
