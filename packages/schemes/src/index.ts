export { raftSingle } from "./raft-single.js";
export type { RegisteredScheme } from "./registry.js";
export {
  ConfigSyntaxError,
  UnknownSchemeError,
  getScheme,
  parseNodeSet,
  schemeNames,
} from "./registry.js";
