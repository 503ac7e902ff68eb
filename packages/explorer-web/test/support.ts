// What the browser test and the benchmark share: the chromium to drive and a fresh build of the app.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The chromium to drive: $ADORE_CHROMIUM, else Debian's (scripts/install-chromium.sh installs it). */
export function findChromium(): string | undefined {
  return [process.env.ADORE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (c): c is string => !!c && existsSync(c),
  );
}

/** Builds the app with Vite, as the package's build does, into a fresh temporary directory; returns it. */
export function buildAppToTemp(): string {
  const pkg = fileURLToPath(new URL("..", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "explorer-web-"));
  const vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  const b = spawnSync(
    process.execPath,
    [vite, "build", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"],
    {
      cwd: pkg,
      encoding: "utf8",
    },
  );
  if (b.status !== 0) throw new Error(`vite build failed:\n${b.stdout}\n${b.stderr}`);
  return out;
}
