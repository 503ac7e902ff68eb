import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// The real Jepsen histories: <repo>/../shared/data/linearizability beside a clone (as in CI),
// looked for upwards so that a git worktree, which sits deeper, finds it too. Tests read it from
// ADORE_LINEARIZABILITY_DATA and say so, visibly, when it is absent.
function linearizabilityData(): string {
  const repo = fileURLToPath(new URL(".", import.meta.url));
  for (let d = dirname(repo.replace(/\/$/, "")); d !== dirname(d); d = dirname(d)) {
    const dir = join(d, "shared", "data", "linearizability");
    if (existsSync(dir)) return `${dir}/`;
  }
  return join(repo, "..", "shared", "data", "linearizability/");
}

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
    env: { ADORE_LINEARIZABILITY_DATA: process.env.ADORE_LINEARIZABILITY_DATA ?? linearizabilityData() },
    testTimeout: 120_000,
    setupFiles: [fileURLToPath(new URL("./vitest.setup.ts", import.meta.url))],
  },
});
