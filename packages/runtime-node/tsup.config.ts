import { packageBuild } from "../../tsup.shared.js";

export default packageBuild(["src/index.ts", "src/internal.ts", "src/testing/index.ts", "src/node/main.ts"]);
