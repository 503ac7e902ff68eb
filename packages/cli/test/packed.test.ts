// The consumer test: every package packed as it would be published, installed with npm into
// scratch projects outside the workspace, and used from there as each kind of user would.
//  (a) a protocol designer with only adore-core and schemes: a script (the adore-core README's)
//      that defines a scheme, checks overlap, explores and prints the counterexample — and none
//      of the service's dependencies installed;
//  (b) the same script type-checked by tsc under NodeNext and under Bundler resolution;
//  (c) a service builder with only raft-net and runtime-node (and their closure): three replicas
//      in-process, a write, a read, a membership change (the runtime-node README's script);
//  (d) the `adore` bin from the packed cli.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = new URL("../../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "adore-consumer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let tarballs: Record<string, string> = {};

/** The code block after `<!-- example: NAME -->` in a README: the docs are what the test runs. */
function example(readme: string, name: string): string {
  const md = readFileSync(join(repo, readme), "utf8");
  const m = new RegExp(
    `<!-- example: ${name.replace(".", "\\.")} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``,
  ).exec(md);
  if (!m) throw new Error(`${readme} has no example ${name}`);
  return m[1]!;
}

/** A scratch project with exactly these packages of ours (from their tarballs) installed by npm. */
function project(name: string, ours: readonly string[], closure: readonly string[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(ours.map((p) => [p, `file:${tarballs[p]}`]));
  // npm resolves our packages' own dependencies on each other from the registry unless the
  // tarballs are given too: that is what a user who installs "only their layer" gets
  const overrides = Object.fromEntries(closure.map((p) => [p, `file:${tarballs[p]}`]));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, type: "module", dependencies, overrides }, null, 2),
  );
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=optional", "--loglevel=error"],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"], timeout: 240_000 },
  );
  return dir;
}

/** The packages npm installed into a project (name → version). */
function installed(dir: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const out = new Map<string, string>();
  for (const [path, p] of Object.entries(lock.packages)) {
    if (!path) continue;
    out.set(path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length), p.version ?? "");
  }
  return out;
}

const run = (dir: string, cmd: string, args: readonly string[], timeout = 120_000) =>
  spawnSync(cmd, args, { cwd: dir, encoding: "utf8", timeout });

beforeAll(() => {
  const out = join(work, "tarballs");
  const r = run(repo, process.execPath, [join(repo, "scripts", "release.mjs"), "--out", out], 480_000);
  if (r.status !== 0) throw new Error(`scripts/release.mjs failed:\n${r.stdout}\n${r.stderr}`);
  tarballs = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
}, 500_000);

describe("packed packages, installed outside the workspace", () => {
  it("packs every package with its licence, README and exports (scripts/release.mjs)", () => {
    const names = readdirSync(join(repo, "packages")).filter((d) =>
      existsSync(join(repo, "packages", d, "package.json")),
    );
    expect(Object.keys(tarballs).sort()).toEqual(names.map((d) => `@adore/${d}`).sort());
  });

  it("(a, b) a protocol designer needs only adore-core and schemes: explore prints the counterexample, tsc accepts it under NodeNext and Bundler", () => {
    const dir = project("designer", ["@adore/adore-core", "@adore/schemes"], ["@adore/adore-core"]);
    const deps = installed(dir);
    console.log(`designer's project: ${deps.size} packages installed: ${[...deps.keys()].sort().join(", ")}`);
    for (const heavy of [
      "msgpackr",
      "pino",
      "prom-client",
      "@grpc/grpc-js",
      "commander",
      "@adore/runtime-node",
    ])
      expect(deps.has(heavy), heavy).toBe(false);
    writeFileSync(join(dir, "designer.ts"), example("packages/adore-core/README.md", "designer.ts"));
    const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
    const common = { strict: true, target: "ES2022", lib: ["ES2023", "DOM"], types: [], skipLibCheck: false };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { ...common, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" },
        files: ["designer.ts"],
      }),
    );
    writeFileSync(
      join(dir, "tsconfig.bundler.json"),
      JSON.stringify({
        compilerOptions: { ...common, module: "ESNext", moduleResolution: "Bundler", noEmit: true },
        files: ["designer.ts"],
      }),
    );
    const nodenext = run(dir, process.execPath, [tsc, "-p", "tsconfig.json"]);
    expect(nodenext.stdout + nodenext.stderr).toBe("");
    expect(nodenext.status).toBe(0);
    const bundler = run(dir, process.execPath, [tsc, "-p", "tsconfig.bundler.json"]);
    expect(bundler.stdout + bundler.stderr).toBe("");
    expect(bundler.status).toBe(0);
    const r = run(dir, process.execPath, ["out/designer.js"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("OVERLAP fails");
    expect(r.stdout).toContain("violation: ");
    expect(r.stdout).toMatch(/VIOLATION of ReplicatedStateSafety/);
    expect(r.stdout).toMatch(/^1\. pull\(/m);
  }, 300_000);

  it("(c) a service builder needs only raft-net and runtime-node: three in-process replicas serve a write, a read and a membership change", () => {
    const dir = project(
      "service",
      ["@adore/raft-net", "@adore/runtime-node"],
      ["@adore/adore-core", "@adore/schemes", "@adore/raft-net"],
    );
    const deps = installed(dir);
    const ours = [...deps.keys()].filter((n) => n.startsWith("@adore/")).sort();
    console.log(`service builder's project: ${deps.size} packages installed, ours: ${ours.join(", ")}`);
    expect(ours).toEqual(["@adore/adore-core", "@adore/raft-net", "@adore/runtime-node", "@adore/schemes"]);
    writeFileSync(join(dir, "service.mjs"), example("packages/runtime-node/README.md", "service.mjs"));
    const r = run(dir, process.execPath, ["service.mjs"], 120_000);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("read back: hello");
    expect(r.stdout).toMatch(/members: .*4/);
  }, 300_000);

  it("(d) the adore bin from the packed cli checks a scheme", () => {
    const dir = project("cli", ["@adore/cli"], Object.keys(tarballs));
    const bin = join(dir, "node_modules", ".bin", "adore");
    const help = run(dir, bin, ["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: adore");
    const r = run(dir, bin, ["check", "--scheme", "raft-single", "--nodes", "3", "--depth", "4"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("verdict: no violation within the bounds");
    expect(r.status).toBe(0);
  }, 300_000);
});
