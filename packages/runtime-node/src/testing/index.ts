// @adore/runtime-node/testing: helpers for a service's tests — an in-process cluster of replicas
// on loopback with temporary data directories, and a polling wait.
export { TestCluster, until } from "./cluster.js";
