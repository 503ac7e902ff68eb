// Public API of @adore/schemes: the reconfiguration schemes of section 6 (and beyond), their
// configuration syntax, the registry the CLI uses, and the REFLEXIVE/OVERLAP checker of Fig. 7.
export type { QuorumSizeConfig } from "./dynamic-quorum.js";
export {
  dynamicQuorum,
  dynamicQuorumLeq,
  dynamicQuorumMembership,
  parseQuorumSize,
  quorumSizeR1plus,
} from "./dynamic-quorum.js";
export type { LawReport, LawViolation, SchemeLaw } from "./laws.js";
export { checkSchemeLaws } from "./laws.js";
export type {
  MembershipChange,
  MembershipOp,
  MembershipOps,
  MembershipRefusal,
  MembershipRefusalCode,
  MembershipRules,
} from "./membership.js";
export { changed, changedConfig, membershipOps, noMembership, refused } from "./membership.js";
export { differByAtMostOne, isMajority } from "./majority.js";
export type { OverlapOptions, OverlapReport, OverlapStats, OverlapWitness } from "./overlap.js";
export {
  checkOverlap,
  describeReport,
  describeWitness,
  MAX_OVERLAP_UNIVERSE,
  OverlapInputError,
  overlapWitness,
  SchemeCallError,
} from "./overlap.js";
export type { PrimaryBackupConfig } from "./primary-backup.js";
export { parsePrimaryBackup, primaryBackup, primaryBackupMembership } from "./primary-backup.js";
export type { PrimariesConfig } from "./primaries-backups.js";
export { parsePrimaries, primariesBackups, primariesBackupsMembership } from "./primaries-backups.js";
export type { JointConfig } from "./raft-joint.js";
export {
  jointR1plusAsPrinted,
  parseJoint,
  printJoint,
  raftJoint,
  raftJointAsPrinted,
  raftJointMembership,
} from "./raft-joint.js";
export { parseMemberSet, raftSingle, raftSingleMembership } from "./raft-single.js";
export type { RegisteredScheme } from "./registry.js";
export {
  ConfigSyntaxError,
  fixtureNames,
  getScheme,
  parseNodeSet,
  registeredOf,
  SchemeModuleError,
  schemeNames,
  UnknownSchemeError,
  userScheme,
  userSchemeFromModule,
} from "./registry.js";
export { staticMajority, staticMembership, staticOf } from "./static.js";
export { anyChangeMajority, halfQuorumStatic } from "./unsafe.js";
export type { Weights } from "./weighted-majority.js";
export {
  isWeightedQuorum,
  MAX_WEIGHT,
  margin,
  movedWeight,
  parseWeights,
  printWeights,
  totalWeight,
  weightedLeq,
  weightedMajority,
  weightedMajorityScheme,
  weightedMembership,
  weightedR1plus,
  weightOf,
  weights,
} from "./weighted-majority.js";
