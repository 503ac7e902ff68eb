// `adore validate <dir> --json` exports a recorded run's ADORE view in the browser explorer's
// format, and `adore ui --run` serves the explorer opened on it — both run as users run the CLI.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { appDir, parseAdoreViewJson } from "@adore/explorer-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdoreClient, LocalCluster } from "@adore/runtime-node";

const root = new URL("../../..", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "adore-ui-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill();
  rmSync(tmp, { recursive: true, force: true });
});

const CLI = ["--conditions=@adore/source", "--import", "tsx", "packages/cli/src/main.ts"];
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [...CLI, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

/** Starts `adore ui …` and resolves with its first stdout line (the URL) once it listens. */
function startUi(...args: string[]): Promise<string> {
  const c = spawn(process.execPath, [...CLI, "ui", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(c);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    c.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ADORE explorer: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    c.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    c.on("exit", (code) => reject(new Error(`adore ui exited ${code}: ${err}`)));
  });
}

describe("adore validate --json and adore ui", () => {
  const run = join(tmp, "run");
  const json = join(tmp, "adore-view.json");

  beforeAll(async () => {
    // the app `adore ui` serves is the package's build (pnpm adore builds it through turbo)
    if (!existsSync(join(appDir(), "index.html"))) {
      const pkg = dirname(appDir().replace(/\/dist\/app$/, "/package.json"));
      const vite = join(
        dirname(createRequire(join(pkg, "package.json")).resolve("vite/package.json")),
        "bin",
        "vite.js",
      );
      const b = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
        cwd: pkg,
        encoding: "utf8",
      });
      if (b.status !== 0) throw new Error(`vite build failed: ${b.stderr}`);
    }
    const cluster = await LocalCluster.start({
      ids: [1, 2, 3],
      dir: run,
      traces: true,
      logLevel: "warn",
      clusterId: "ui",
    });
    try {
      const c = new AdoreClient({ endpoints: cluster.endpoints, attemptTimeoutMs: 2000, timeoutMs: 20_000 });
      for (let i = 0; i < 30; i++) await c.put(`k${i % 5}`, `v${i}`);
      c.close();
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it("validate --json writes the run's ADORE view, which the explorer's reader accepts as a whole", () => {
    const r = cli("validate", run, "--json", json);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ADORE view: ${json} (adore ui --run ${json})`);
    const v = parseAdoreViewJson(readFileSync(json, "utf8"));
    expect(v.json.scheme).toBe("raft-single");
    expect(v.json.refused).toEqual([]);
    expect(v.safety).toBeNull();
    expect(v.state.caches.filter((c) => c.kind === "MCache").length).toBeGreaterThanOrEqual(30);
    expect(v.state.caches.filter((c) => c.kind === "ECache").length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("ui --run serves the built app and the view, and prints the URL that opens it", async () => {
    const url = await startUi("--port", "0", "--run", json);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#view=run&run=\.%2Frun%2Fadore-view\.json$/);
    const base = url.replace(/#.*$/, "");
    const page = await fetch(base);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>ADORE explorer</title>");
    // relative asset URLs: the same build works from any static host and sub-path
    expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
    const view = await fetch(`${base}run/adore-view.json`);
    expect(await view.text()).toBe(readFileSync(json, "utf8"));
    expect((await fetch(`${base}../../etc/passwd`)).status).toBe(404);
    // an encoded slash survives URL parsing; decoded, the path still stays inside the app
    expect((await fetch(`${base}..%2F..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  }, 60_000);

  it("ui --run with a file that is not an ADORE view: one line naming the field, exit 2", () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ format: "adore-view", version: 1, scheme: "paxos" }));
    const r = cli("ui", "--port", "0", "--run", bad);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^adore ui: ADORE view: scheme: unknown scheme "paxos"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
