// One-step set-up on a fresh machine with only Node and npm: installs the pinned pnpm
// (through npx when no matching pnpm is on PATH) and the workspace's dependencies.
// Idempotent and quick when everything is already installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
process.env.TURBO_TELEMETRY_DISABLED = "1";
process.env.DO_NOT_TRACK = "1";

const marker = join(root, "node_modules", ".modules.yaml");
const lock = join(root, "pnpm-lock.yaml");
if (existsSync(marker) && existsSync(lock) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs)
  process.exit(0);

function pnpmCommand() {
  try {
    const v = execFileSync("pnpm", ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    if (v === pinned) return ["pnpm", []];
  } catch {}
  return ["npx", ["-y", `pnpm@${pinned}`]];
}
const [cmd, pre] = pnpmCommand();
console.error(`[setup] installing dependencies with pnpm ${pinned} …`);
const r = spawnSync(cmd, [...pre, "install", "--frozen-lockfile"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  console.error(`[setup] pnpm install failed (exit ${r.status})`);
  process.exit(r.status ?? 1);
}
