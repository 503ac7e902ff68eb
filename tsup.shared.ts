import { defineConfig, type Options } from "tsup";

/** Every package's build: ESM for Node 20 with .d.ts, only the package's own sources bundled. */
export function packageBuild(entry: readonly string[]): Options | Options[] {
  return defineConfig({
    entry: [...entry],
    format: ["esm"],
    target: "node20",
    platform: "node",
    // composite:true (from tsconfig.base) makes tsup's dts build fail with TS6307.
    dts: { compilerOptions: { composite: false } },
    sourcemap: true,
    clean: true,
    treeshake: true,
    // every bare import stays an import: a third-party module is never inlined (etcd3, CommonJS,
    // inlined into an ESM bundle, crashed `adore bench` with "Dynamic require of process")
    skipNodeModulesBundle: true,
  }) as Options | Options[];
}
