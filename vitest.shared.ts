import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Resolve workspace packages to their TypeScript sources (the "@adore/source"
// export condition) so tests never need a prior build of dependencies.
export const sharedProject = defineProject({
  ssr: {
    resolve: {
      conditions: ["@adore/source", "module", "node", "development|production"],
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    setupFiles: [fileURLToPath(new URL("./vitest.setup.ts", import.meta.url))],
  },
});
