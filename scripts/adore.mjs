// Runs the `adore` CLI from the workspace: `pnpm adore <command> …`.
// It builds the CLI's packages with turbo first (cached: a no-op when nothing changed; when a source
// is newer than the last build it says `adore: building the CLI…` first, as that takes a while) and
// runs the built JavaScript; if that build fails it runs the TypeScript sources through tsx instead.
// Turbo and the CLI run as child processes: SIGINT, SIGTERM and SIGHUP are forwarded to them, and
// the launcher ends as the CLI ended (its exit code, or the signal that killed it), so killing the
// launcher — or the pnpm that started it — never leaves the CLI running.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// turbo looks for the pinned pnpm on the PATH: the workspace installs it in node_modules/.bin
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};
const cwd = process.env.INIT_CWD ?? process.cwd();
const args = process.argv.slice(2);
const heap = ["--max-old-space-size=16384"];
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];
// touched after every successful build: a source newer than it means turbo has work to do
const stamp = join(root, "node_modules", ".cache", "adore", "cli-built");

// `pnpm adore` runs this script under `sh -c`: a SIGTERM to pnpm ends pnpm and the shell but not
// this process, which then finds itself re-parented. It treats that as a SIGTERM.
const parent = process.ppid;

/** Runs a child with the signals forwarded to it; resolves with how it ended. */
function run(cmd, argv, options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, options);
    const forward = (sig) => child.kill(sig);
    for (const s of FORWARDED) process.on(s, forward);
    const orphaned = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(orphaned);
      forward("SIGTERM");
    }, 200);
    const done = (r) => {
      clearInterval(orphaned);
      for (const s of FORWARDED) process.off(s, forward);
      resolve(r);
    };
    child.once("error", (e) => {
      process.stderr.write(`adore: cannot run ${cmd}: ${e.message}\n`);
      done({ code: 1, signal: null });
    });
    child.once("exit", (code, signal) => done({ code, signal }));
  });
}

/** Ends this process as the child ended: by the same signal, or with the same exit code. */
function endAs({ code, signal }) {
  if (signal) {
    process.kill(process.pid, signal);
    // a signal whose default action is not to terminate
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
}

/** Newest modification time (ms) of the files the CLI's build reads. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const f of ["package.json", "pnpm-lock.yaml", "turbo.json", "tsconfig.base.json"])
    visit(join(root, f));
  for (const p of readdirSync(join(root, "packages")))
    for (const f of ["src", "package.json", "tsup.config.ts", "tsconfig.json"])
      visit(join(root, "packages", p, f));
  return newest;
}

const built = join(root, "packages", "cli", "dist", "main.js");
let nodeArgs = [...heap, built];
if (process.env.ADORE_FROM_SOURCE !== "1") {
  let stale = true;
  try {
    stale = !existsSync(built) || statSync(stamp).mtimeMs < newestSource();
  } catch {
    // no stamp yet
  }
  if (stale) process.stderr.write("adore: building the CLI…\n");
  const b = await run(
    join(root, "node_modules", ".bin", "turbo"),
    ["run", "build", "--filter=@adore/cli...", "--output-logs=errors-only", "--log-prefix=none"],
    { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (b.signal) endAs(b);
  if (b.code === 0 && existsSync(built)) {
    mkdirSync(dirname(stamp), { recursive: true });
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  } else {
    process.stderr.write("adore: building the CLI failed; running it from the TypeScript sources\n");
    nodeArgs = [];
  }
}
if (nodeArgs.length === 0 || process.env.ADORE_FROM_SOURCE === "1")
  nodeArgs = [
    ...heap,
    "--conditions=@adore/source",
    "--import",
    "tsx",
    join(root, "packages", "cli", "src", "main.ts"),
  ];
endAs(await run(process.execPath, [...nodeArgs, ...args], { stdio: "inherit", cwd, env }));
