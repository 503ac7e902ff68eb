// Fails if a package's tsconfig "references" don't match its workspace dependencies
// (a missing reference is silent in tsc -b: the import still resolves through the source condition).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = readdirSync(join(root, "packages"));
const read = (...p) => JSON.parse(readFileSync(join(root, ...p), "utf8"));
const byName = new Map(dirs.map((d) => [read("packages", d, "package.json").name, d]));
let bad = 0;
for (const d of dirs) {
  const pkg = read("packages", d, "package.json");
  const ts = read("packages", d, "tsconfig.json");
  const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies };
  const want = Object.keys(deps)
    .filter((n) => byName.has(n))
    .map((n) => `../${byName.get(n)}`)
    .sort();
  const have = (ts.references ?? []).map((r) => r.path.replace(/\/tsconfig\.json$/, "")).sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    bad++;
    console.error(
      `packages/${d}/tsconfig.json references ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`,
    );
  }
}
const rootRefs = read("tsconfig.json").references.map((r) => r.path);
for (const d of dirs) {
  if (!rootRefs.includes(`./packages/${d}`)) {
    bad++;
    console.error(`root tsconfig.json lacks ./packages/${d}`);
  }
}
if (bad) process.exit(1);
console.log(`project references OK (${dirs.length} packages)`);
