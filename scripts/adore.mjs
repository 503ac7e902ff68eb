// Runs the `adore` CLI from the workspace sources (no build needed): `pnpm adore <command> …`.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const entry = join(root, "packages", "runtime-node", "src", "cli", "main.ts");
const r = spawnSync(
  process.execPath,
  ["--conditions=@adore/source", "--import", "tsx", entry, ...process.argv.slice(2)],
  {
    stdio: "inherit",
    cwd: process.env.INIT_CWD ?? process.cwd(),
    env: { ...process.env, NODE_PATH: join(root, "node_modules") },
  },
);
process.exit(r.status ?? 1);
