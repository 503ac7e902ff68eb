// The raft-net and adore-core names SRaft uses (one place to see what it reuses).
export type { Scheme } from "@adore/adore-core";
export type {
  ClusterBounds,
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
export {
  ClusterEncoder,
  checkCluster,
  checkClusterBounds,
  crash,
  drive,
  newCluster,
  params,
  restart,
} from "@adore/raft-net";
