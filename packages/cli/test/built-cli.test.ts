// What users run: the built CLI (packages/cli/dist/main.js, built here with turbo exactly as `pnpm adore`
// builds it) and the `pnpm adore` launcher (scripts/adore.mjs). Every process is started with a kill
// timer: a process that does not exit in time fails the test (a hang detector, not a timing claim).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdBinary } from "@adore/harness";
import { allocatePorts } from "@adore/runtime-node";
import { until } from "@adore/runtime-node/testing";

const root = new URL("../../..", import.meta.url).pathname;
const main = join(root, "packages", "cli", "dist", "main.js");
const launcher = join(root, "scripts", "adore.mjs");
const tmp = mkdtempSync(join(tmpdir(), "adore-built-cli-"));
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};

const started: ChildProcess[] = [];

beforeAll(() => {
  const b = spawnSync(
    join(root, "node_modules", ".bin", "turbo"),
    ["run", "build", "--filter=@adore/cli...", "--output-logs=errors-only", "--log-prefix=none"],
    { cwd: root, env, encoding: "utf8", timeout: 600_000 },
  );
  if (b.status !== 0) throw new Error(`the build failed: ${b.stderr}${b.stdout}`);
}, 600_000);

afterAll(() => {
  for (const ch of started)
    try {
      process.kill(-ch.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  rmSync(tmp, { recursive: true, force: true });
});

interface Proc {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves when the process exits; rejects if it is still running after `ms` (then it is killed). */
  exit(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <args>` as the leader of its own process group (so afterAll can kill what it left). */
function start(args: readonly string[], cwd = root): Proc {
  const child = spawn(process.execPath, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    out: () => stdout,
    err: () => stderr,
    exit: (ms) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // gone meanwhile
          }
          reject(new Error(`node ${args.join(" ")} still running after ${ms} ms; stderr: ${stderr}`));
        }, ms);
        void exited.then((r) => {
          clearTimeout(t);
          resolve(r);
        });
      }),
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Process ids of the children of `pid` (Linux). */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
    .split(" ")
    .filter((s) => s !== "")
    .map(Number);

async function nodeArgs(data: string): Promise<string[]> {
  const [peer, client] = await allocatePorts(2);
  return ["node", "start", "--id", "1", "--data", data, "--peers", `1=127.0.0.1:${peer}/127.0.0.1:${client}`];
}

/** Every .js file under a package's dist. */
function bundles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".js"))
    .map((e) => join(e.parentPath, e.name));
}

describe("the bundles", () => {
  it("inline no third-party module (etcd3, bundled as CommonJS, crashed `adore bench` with Dynamic require)", () => {
    const packages = readdirSync(join(root, "packages"));
    const files = packages.flatMap((p) => bundles(join(root, "packages", p, "dist")));
    expect(files.length).toBeGreaterThan(packages.length - 1);
    const inlined: string[] = [];
    for (const f of files) {
      const js = readFileSync(f, "utf8");
      // esbuild's shim for require() inside an ESM bundle: only bundled CommonJS code needs it
      if (/\b__require\b/.test(js)) inlined.push(`${f}: __require`);
      const map = `${f}.map`;
      if (existsSync(map)) {
        const sources = (JSON.parse(readFileSync(map, "utf8")) as { sources: string[] }).sources;
        for (const s of sources) if (s.includes("node_modules/")) inlined.push(`${f}: ${s}`);
      }
    }
    expect(inlined.slice(0, 5)).toEqual([]);
  });
});

describe("the built CLI loads what a command needs, and no more", () => {
  const loads = (args: readonly string[]) => async () => {
    const file = join(tmp, `loads-${args[0]}.txt`);
    const hook = join(root, "packages", "cli", "test", "fixtures", "record-loads.mjs");
    const p = spawnSync(process.execPath, ["--import", hook, main, ...args], {
      cwd: root,
      env: { ...env, ADORE_LOADS_FILE: file },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(p.status, p.stderr).toBe(0);
    return readFileSync(file, "utf8");
  };
  const SERVICE =
    /packages\/(runtime-node|harness)\/dist|node_modules\/(\.pnpm\/)?(msgpackr|pino|prom-client)[@/]/;

  it("adore check loads neither the service library nor its dependencies", async () => {
    const loaded = await loads(["check", "--scheme", "raft-single", "--nodes", "3", "--depth", "3"])();
    expect(loaded).toContain("packages/adore-core/dist");
    expect(loaded.split("\n").filter((u) => SERVICE.test(u))).toEqual([]);
    expect(loaded).not.toContain("packages/refinement/dist");
  }, 150_000);

  it("adore refine loads the refinement suite but not the service", async () => {
    const loaded = await loads(["refine", "--layer", "sraft", "--nodes", "3", "--depth", "2"])();
    expect(loaded).toContain("packages/refinement/dist");
    expect(loaded.split("\n").filter((u) => SERVICE.test(u))).toEqual([]);
  }, 150_000);

  it("adore status loads the service library when it runs", async () => {
    const file = join(tmp, "loads-status.txt");
    const hook = join(root, "packages", "cli", "test", "fixtures", "record-loads.mjs");
    const [port] = await allocatePorts(1);
    spawnSync(
      process.execPath,
      ["--import", hook, main, "status", "--endpoints", `127.0.0.1:${port}`, "--timeout", "300"],
      {
        cwd: root,
        env: { ...env, ADORE_LOADS_FILE: file },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(readFileSync(file, "utf8")).toContain("packages/runtime-node/dist");
  }, 90_000);
});

describe("the built CLI loads each lazily imported module", () => {
  // CI installs etcd (scripts/test.mjs), so there this test never skips
  it.skipIf(!process.env.CI && etcdBinary() === undefined)(
    'adore bench reaches etcd (it died with Dynamic require of "process" is not supported)',
    async () => {
      const p = start([main, "bench", "--clients", "4", "--seconds", "1", "--keys", "10"]);
      const r = await p.exit(180_000);
      expect(p.err()).not.toContain("Dynamic require");
      expect(r.code).toBe(0);
      expect(p.out()).toMatch(/^adore \(3 nodes, raft-single\): \d+ writes\/s/m);
      expect(p.out()).toMatch(/^etcd [\d.]+ \(3 members\): +\d+ writes\/s/m);
      expect(p.out()).toMatch(/^ratio ours\/etcd: writes\/s [\d.]+×/m);
    },
    240_000,
  );

  it("adore check --scheme-file imports the user's module", async () => {
    const md = readFileSync(join(root, "packages", "schemes", "README.md"), "utf8");
    const example = /<!-- example: unanimous\.mjs -->\s*```js\n([\s\S]*?)```/.exec(md)?.[1];
    expect(example).toBeDefined();
    const file = join(tmp, "unanimous.mjs");
    writeFileSync(file, example!);
    const p = start([main, "check", "--scheme-file", file, "--nodes", "3", "--depth", "3"]);
    const r = await p.exit(60_000);
    // stderr carries only progress lines (a slow machine prints some), never an error
    expect(p.err()).not.toMatch(/error|Error|at .*:\d+:\d+/);
    expect(r.code).toBe(0);
    expect(p.out()).toContain("REFLEXIVE and OVERLAP hold: unanimous over {1,2,3}");
  });

  it("adore node start loads the replica, serves, and stops on SIGTERM", async () => {
    const p = start([main, ...(await nodeArgs(join(tmp, "lazy-d1")))]);
    await until(() => p.out().includes('"ready":true'), 30_000, `node ready; stderr: ${p.err()}`);
    p.child.kill("SIGTERM");
    expect(await p.exit(10_000)).toEqual({ code: 0, signal: null });
  });
});

describe("an unusable data directory is one line and exit 2, not a hang", () => {
  const file = join(tmp, "a-file");
  writeFileSync(file, "x");
  const cases: Array<[string, string, RegExp]> = [
    ["cannot be created (under /proc)", "/proc/nope/d1", /cannot create \/proc\/nope\b.*ENOENT/],
    [
      "a file is in the way",
      join(file, "d1"),
      /NotADirectory: .*a-file is in the way: it is not a directory/,
    ],
    [
      "is not writable (under /sys)",
      "/sys/nope/d1",
      /NotWritable: cannot create \/sys\/nope: E(PERM|ROFS|ACCES)/,
    ],
    ["is a file", file, /NotADirectory: exists and is not a directory/],
  ];
  for (const [what, data, reason] of cases)
    it(`adore node start --data <dir that ${what}>`, async () => {
      const p = start([main, ...(await nodeArgs(data))]);
      const r = await p.exit(10_000);
      expect(r.code).toBe(2);
      const lines = p.err().trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(data);
      expect(lines[0]).toMatch(reason);
    });

  it("adore cluster up --dir /proc/nope/cl (it spun at 100% CPU)", async () => {
    const p = start([main, "cluster", "up", "--nodes", "1", "--dir", "/proc/nope/cl"]);
    const r = await p.exit(10_000);
    expect(r.code).toBe(2);
    const lines = p.err().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^adore cluster up: .*\/proc\/nope\/cl.*cannot create \/proc\/nope\b.*ENOENT/);
  });
});

describe("adore cluster up", () => {
  it("names the signal that killed a node (it said `exited on its own`)", async () => {
    const dir = join(tmp, "cl-signal");
    const p = start([main, "cluster", "up", "--nodes", "1", "--dir", dir]);
    await until(() => p.out().includes("SIGINT (Ctrl-C)"), 60_000, `cluster up ready; stderr: ${p.err()}`);
    const [node] = childrenOf(p.child.pid!);
    expect(node).toBeDefined();
    process.kill(node!, "SIGKILL");
    await until(() => /node 1 /.test(p.err()), 10_000, "the report of node 1");
    expect(p.err()).toMatch(/^adore cluster up: node 1 killed by SIGKILL; see .*n1\.log$/m);
    p.child.kill("SIGTERM");
    expect((await p.exit(15_000)).code).toBe(0);
  });
});

describe("the `pnpm adore` launcher (scripts/adore.mjs)", () => {
  it("says it is building the CLI when a source changed, and is silent when the build is current", async () => {
    // the first run may build (beforeAll's turbo build is not the launcher's); the second may not
    expect((await start([launcher, "--help"]).exit(300_000)).code).toBe(0);
    const quiet = start([launcher, "--help"]);
    expect((await quiet.exit(120_000)).code).toBe(0);
    expect(quiet.err()).not.toContain("building the CLI");
    const src = join(root, "packages", "cli", "src", "main.ts");
    const now = new Date();
    utimesSync(src, now, now);
    const loud = start([launcher, "--help"]);
    expect((await loud.exit(300_000)).code).toBe(0);
    expect(loud.err()).toContain("adore: building the CLI…");
  }, 420_000);

  it("forwards SIGTERM to the CLI and does not leave it running (it exited, the node kept running)", async () => {
    const data = join(tmp, "launcher-d1");
    mkdirSync(data);
    const p = start([launcher, ...(await nodeArgs(data))]);
    await until(() => p.out().includes('"ready":true'), 300_000, `node ready; stderr: ${p.err()}`);
    const [cli] = childrenOf(p.child.pid!);
    expect(cli).toBeDefined();
    p.child.kill("SIGTERM");
    const r = await p.exit(10_000);
    expect(r).toEqual({ code: 0, signal: null });
    await until(() => !alive(cli!), 5_000, `the CLI process ${cli} to exit`);
  }, 360_000);

  it("stops the CLI when its own parent dies (SIGTERM to pnpm left the launcher and the node running)", async () => {
    // pnpm runs the launcher under `sh -c`; the trailing command keeps sh from exec'ing it
    const sh = spawn(
      "sh",
      [
        "-c",
        `"${process.execPath}" "${launcher}" "$@"; true`,
        "sh",
        ...(await nodeArgs(join(tmp, "launcher-d3"))),
      ],
      {
        cwd: root,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    started.push(sh);
    let out = "";
    sh.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('"ready":true'), 300_000, "node ready under sh");
    const [launched] = childrenOf(sh.pid!);
    const [cli] = childrenOf(launched!);
    expect(cli).toBeDefined();
    sh.kill("SIGTERM");
    await until(
      () => !alive(cli!) && !alive(launched!),
      10_000,
      `the CLI ${cli} and the launcher ${launched} to exit`,
    );
  }, 360_000);

  it("exits with the signal that killed the CLI", async () => {
    const p = start([launcher, ...(await nodeArgs(join(tmp, "launcher-d2")))]);
    await until(() => p.out().includes('"ready":true'), 300_000, `node ready; stderr: ${p.err()}`);
    const [cli] = childrenOf(p.child.pid!);
    process.kill(cli!, "SIGKILL");
    expect(await p.exit(10_000)).toEqual({ code: null, signal: "SIGKILL" });
  }, 360_000);
});
