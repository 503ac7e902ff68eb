// The raft-net and adore-core names SRaft uses (one place to see what it reuses).
export type { Scheme } from "@adore/adore-core";
export type {
  ClusterState,
  Effect,
  Entry,
  Input,
  Message,
  Mutations,
  RaftOptions,
  RaftParams,
  RaftServer,
  Rejection,
} from "@adore/raft-net";
export { ClusterEncoder, checkCluster, crash, drive, newCluster, params, restart } from "@adore/raft-net";
