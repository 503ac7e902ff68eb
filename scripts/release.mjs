// `pnpm release`: build every package, pack it as npm would publish it, and check the tarballs.
// Nothing is published from here. Versions and release notes come from changesets
// (`pnpm changeset` to describe a change, `pnpm version-packages` to apply them).
//   node scripts/release.mjs [--out DIR] [--skip-build]
// Writes DIR/manifest.json ({ "@adore/x": "/abs/path/adore-x-0.1.0.tgz", … }); exit 1 if a check fails.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = resolve(arg("--out") ?? join(root, "out", "release"));
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};

const dirs = readdirSync(join(root, "packages")).filter((d) => {
  try {
    return statSync(join(root, "packages", d, "package.json")).isFile();
  } catch {
    return false;
  }
});

if (!process.argv.includes("--skip-build")) {
  console.error("[release] building every package …");
  const b = spawnSync(
    join(root, "node_modules", ".bin", "turbo"),
    ["run", "build", "--output-logs=errors-only"],
    {
      cwd: root,
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (b.status !== 0) {
    console.error("[release] build failed");
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const manifest = {};
const problems = [];
for (const d of dirs) {
  const dir = join(root, "packages", d);
  const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (pj.private) continue;
  const before = new Set(readdirSync(out));
  execFileSync(join(root, "node_modules", ".bin", "pnpm"), ["pack", "--pack-destination", out], {
    cwd: dir,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const made = readdirSync(out).filter((f) => f.endsWith(".tgz") && !before.has(f));
  if (made.length !== 1) {
    problems.push(`${pj.name}: pnpm pack made ${made.length} tarballs`);
    continue;
  }
  const tgz = join(out, made[0]);
  manifest[pj.name] = tgz;
  for (const p of checkTarball(tgz)) problems.push(`${pj.name}: ${p}`);
}
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
for (const p of problems) console.error(`[release] ${p}`);
console.log(
  `[release] ${Object.keys(manifest).length} packages packed into ${out}: ${problems.length ? `${problems.length} problem(s)` : "all checks pass"}`,
);
process.exit(problems.length ? 1 : 0);

/** What is wrong with a tarball as a published package (empty: nothing). */
function checkTarball(tgz) {
  const files = new Set(execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" }).split("\n").filter(Boolean));
  const pj = JSON.parse(execFileSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" }));
  const bad = [];
  for (const f of ["package/LICENSE", "package/README.md"]) if (!files.has(f)) bad.push(`${f} missing`);
  if (pj.private) bad.push("is private");
  if (pj.license !== "Apache-2.0") bad.push(`license is ${pj.license}`);
  for (const k of ["repository", "engines", "exports"]) if (!pj[k]) bad.push(`no ${k} field`);
  for (const [kind, deps] of Object.entries({
    dependencies: pj.dependencies,
    optionalDependencies: pj.optionalDependencies,
    peerDependencies: pj.peerDependencies,
  }))
    for (const [n, v] of Object.entries(deps ?? {}))
      if (String(v).startsWith("workspace:")) bad.push(`${kind}.${n} is ${v}`);
  const targets = [];
  const walk = (v, path) => {
    if (typeof v === "string") targets.push([path, v]);
    else if (v && typeof v === "object")
      for (const [k, w] of Object.entries(v)) {
        if (k === "@adore/source") bad.push(`exports ${path} keeps the @adore/source condition`);
        walk(w, `${path}/${k}`);
      }
  };
  walk(pj.exports, "exports");
  for (const [name, file] of Object.entries(typeof pj.bin === "string" ? { bin: pj.bin } : (pj.bin ?? {})))
    targets.push([`bin.${name}`, file]);
  for (const [path, t] of targets) {
    const f = `package/${t.replace(/^\.\//, "")}`;
    // a subpath pattern ("./dist/app/*") must match at least one shipped file
    const star = f.indexOf("*");
    const found =
      star < 0
        ? files.has(f)
        : [...files].some((g) => g.startsWith(f.slice(0, star)) && g.endsWith(f.slice(star + 1)));
    if (!found) bad.push(`${path} → ${t}, not in the tarball`);
  }
  for (const [path, cond] of Object.entries(pj.exports ?? {}))
    if (cond && typeof cond === "object" && (!cond.types || !cond.import || !cond.default))
      bad.push(`exports ${path} lacks types, import or default`);
  return bad;
}
