// Public API of @adore/cli: the `adore` program, for embedding or testing its commands.
export { buildProgram } from "./program.js";
