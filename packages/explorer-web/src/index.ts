// Public API of @adore/explorer-web on Node: where the built browser app is, a static server
// for it (`adore ui`), and the JSON format of a recorded run's ADORE view that the app opens.
export type { ServedApp, ServeOptions } from "./node/server.js";
export { AppNotBuiltError, appDir, serveApp } from "./node/server.js";
export type { AdoreViewJson, AdoreViewLike, CacheJson, ParsedView } from "./lib/view-format.js";
export { adoreViewJson, parseAdoreViewJson, ViewFormatError } from "./lib/view-format.js";
