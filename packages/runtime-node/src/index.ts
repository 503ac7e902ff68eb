// Public API of @adore/runtime-node. The replicated key-value service lands with its issue;
// for now the package hosts the `adore` command line (src/cli).
export { buildProgram } from "./cli/program.js";
