// Runs the `adore` CLI from the workspace: `pnpm adore <command> …`.
// It builds the CLI's packages with turbo first (cached: a no-op when nothing changed) and runs the
// built JavaScript; if that build fails it runs the TypeScript sources through tsx instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

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

let entry = join(root, "packages", "cli", "dist", "main.js");
let nodeArgs = [...heap, entry];
if (process.env.ADORE_FROM_SOURCE !== "1") {
  const b = spawnSync(
    join(root, "node_modules", ".bin", "turbo"),
    ["run", "build", "--filter=@adore/cli...", "--output-logs=errors-only", "--log-prefix=none"],
    { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (b.status !== 0 || !existsSync(entry)) {
    process.stderr.write("adore: building the CLI failed; running it from the TypeScript sources\n");
    entry = "";
  }
} else entry = "";
if (!entry) {
  nodeArgs = [
    ...heap,
    "--conditions=@adore/source",
    "--import",
    "tsx",
    join(root, "packages", "cli", "src", "main.ts"),
  ];
}
const r = spawnSync(process.execPath, [...nodeArgs, ...args], { stdio: "inherit", cwd, env });
process.exit(r.status ?? 1);
