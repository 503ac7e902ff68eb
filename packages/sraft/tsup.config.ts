import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  // composite:true (from tsconfig.base) makes tsup's dts build fail with TS6307.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  treeshake: true,
  // every bare import stays an import: a third-party module is never inlined (etcd3, CommonJS,
  // inlined into this ESM bundle, crashed `adore bench` with "Dynamic require of process")
  skipNodeModulesBundle: true,
});
