// The package map (design brief, section 1) as a check: which of our packages each package may
// import. A package may use the packages listed for it and, through them, everything below
// (the closure); importing anything else of ours — in src, test or bench — fails, and so does an
// import of ours that package.json does not declare. Third-party imports must be declared too.
// Tests and benchmarks may also use a package of ours declared as a devDependency, if that
// package does not itself use this one.
//   node scripts/check-deps.mjs         (part of `npm test`)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";

/** The direct dependencies each package may have on ours. */
export const ALLOWED = {
  "adore-core": [],
  lincheck: [],
  cado: ["adore-core"],
  schemes: ["adore-core"],
  "raft-net": ["adore-core", "schemes"],
  sraft: ["raft-net"],
  refinement: ["adore-core", "schemes", "raft-net", "sraft"],
  "runtime-node": ["adore-core", "schemes", "raft-net"],
  kv: ["runtime-node"],
  harness: ["runtime-node", "kv", "lincheck", "refinement"],
  "explorer-web": ["adore-core", "schemes"],
  cli: ["*"],
};

// --root DIR checks another checkout (the check's own test uses a scratch one)
const at = process.argv.indexOf("--root");
const root = at > 0 ? process.argv[at + 1] : new URL("..", import.meta.url).pathname;
const pkgs = readdirSync(join(root, "packages")).filter((d) => {
  try {
    return statSync(join(root, "packages", d, "package.json")).isFile();
  } catch {
    return false;
  }
});

function closure(name, seen = new Set()) {
  for (const d of ALLOWED[name] ?? []) {
    if (d === "*") {
      for (const p of pkgs) if (p !== name) seen.add(p);
      continue;
    }
    if (!seen.has(d)) {
      seen.add(d);
      closure(d, seen);
    }
  }
  return seen;
}

function* sources(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (/\.(m?[jt]sx?)$/.test(e.name)) yield p;
  }
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const builtins = new Set(builtinModules);
let bad = 0;
const problem = (msg) => {
  bad++;
  console.error(msg);
};

for (const dir of pkgs) {
  const pj = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  if (!(dir in ALLOWED)) {
    problem(`packages/${dir}: not in the package map (scripts/check-deps.mjs ALLOWED)`);
    continue;
  }
  const may = closure(dir);
  const runtime = { ...pj.dependencies, ...pj.peerDependencies, ...pj.optionalDependencies };
  const declared = { ...runtime, ...pj.devDependencies };
  const rootPj = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const area of ["src", "test", "bench", "e2e"]) {
    for (const file of sources(join(root, "packages", dir, area))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (!spec || spec.startsWith(".") || spec.startsWith("node:") || builtins.has(spec)) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        const where = relative(root, file);
        if (name.startsWith("@adore/")) {
          const target = name.slice("@adore/".length);
          // tests and benchmarks may also use a declared devDependency of ours that does not use this package
          const testOnly = area !== "src" && name in (pj.devDependencies ?? {}) && !closure(target).has(dir);
          if (target !== dir && !may.has(target) && !testOnly)
            problem(
              `${where}: imports ${spec}, but packages/${dir} may use only ${[...may].sort().join(", ") || "nothing of ours"}`,
            );
          else if (target !== dir && !(name in declared))
            problem(`${where}: imports ${spec}, which packages/${dir}/package.json does not declare`);
        } else if (area === "src" && !(name in runtime)) {
          problem(
            `${where}: imports ${spec}, not a dependency of packages/${dir} (its users would not get it)`,
          );
        } else if (!(name in declared) && !(name in (rootPj.devDependencies ?? {}))) {
          problem(`${where}: imports ${spec}, declared nowhere`);
        }
      }
    }
  }
  for (const dep of Object.keys(runtime)) {
    if (!dep.startsWith("@adore/")) continue;
    const target = dep.slice("@adore/".length);
    if (!may.has(target)) problem(`packages/${dir}/package.json: depends on ${dep}, outside its layer`);
  }
}
if (bad) {
  console.error(`${bad} dependency problem(s): see the package map in scripts/check-deps.mjs`);
  process.exit(1);
}
console.log(`package map OK (${pkgs.length} packages)`);
