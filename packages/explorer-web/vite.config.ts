import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The browser app. `base: "./"` makes every asset URL relative, so dist/app works from any static
// host and any sub-path (and from `adore ui`). Workspace packages resolve to their TypeScript
// sources through the "@adore/source" export condition, so the app needs no prior build of them.
export default defineConfig({
  root: fileURLToPath(new URL("./src/app", import.meta.url)),
  base: "./",
  resolve: { conditions: ["@adore/source", "module", "browser", "development|production"] },
  worker: { format: "es" },
  build: {
    outDir: fileURLToPath(new URL("./dist/app", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
  },
});
