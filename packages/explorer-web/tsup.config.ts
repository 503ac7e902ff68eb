import { defineConfig } from "tsup";

// The Node side of the package (the app's directory, its static server, the ADORE view's JSON
// format); the browser app itself is built by Vite into dist/app (vite.config.ts).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  // composite:true (from tsconfig.base) makes tsup's dts build fail with TS6307.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: false,
  treeshake: true,
});
