import { packageBuild } from "../../tsup.shared.js";

// The Node side of the package (the app's directory, its static server, the ADORE view's JSON
// format); the browser app itself is built by Vite into dist/app afterwards (vite.config.ts).
export default packageBuild(["src/index.ts"]);
