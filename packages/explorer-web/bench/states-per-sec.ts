// The in-browser explorer's speed next to Node's on the same bounds: adore-core's explore on
// Node (built JavaScript, in a child process), then the same model in chromium (the built app's Web Worker, driven by
// playwright-core). Prints one line a run and a table. Run from the package:
//   node --conditions=@adore/source --import tsx bench/states-per-sec.ts
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { buildModel, FIG12_CONFIG, type ModelConfig } from "../src/lib/model.js";
import { encodeState } from "../src/lib/url.js";
import { serveApp } from "../src/node/server.js";
import { buildAppToTemp, findChromium } from "../test/support.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const executable = findChromium();
if (!executable) throw new Error("no chromium (sh scripts/install-chromium.sh)");

/** The browser test's bounds: raft-single, 4 nodes, raft-log pull, depth 8, time ≤ 3, ≤ 1 method, ≤ 2 reconfigs, quorum steps only, symmetry, Replicated State Safety. */
const RUNS: readonly { name: string; config: ModelConfig }[] = [
  { name: "R3 off (finds Fig. 12)", config: FIG12_CONFIG },
  { name: "R3 on (no violation)", config: { ...FIG12_CONFIG, rules: { ...FIG12_CONFIG.rules, r3: true } } },
];

interface Row {
  readonly where: string;
  readonly name: string;
  readonly states: number;
  readonly seconds: number;
  readonly perSec: number;
}
const rows: Row[] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Node runs the built JavaScript of adore-core and schemes (their dist, as the published packages
 * and the built CLI do; `pnpm build` first): the TypeScript sources run through tsx are several
 * times slower and would not be a fair peer of the browser's production bundle.
 */
const NODE_RUN = `
import { adoreModel, adoreSpec, explore } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
const c = JSON.parse(process.argv[1]);
const e = getScheme(c.scheme);
const spec = adoreSpec(adoreModel(e.scheme, e.initial(c.nodes), c.rules));
const r = explore(spec, {
  bounds: { nodes: c.nodes, maxTime: c.maxTime, maxMethods: c.methods, maxReconfigs: c.reconfigs, nonQuorum: c.nonQuorum },
  maxDepth: c.depth, symmetry: c.symmetry, ...(c.invariant === "all" ? {} : { invariants: [c.invariant] }),
});
console.log(JSON.stringify({ status: r.status, states: r.states, elapsedMs: r.elapsedMs, statesPerSec: r.statesPerSec }));
`;
for (const core of ["adore-core", "schemes"])
  if (!existsSync(join(pkg, "..", core, "dist", "index.js")))
    throw new Error(`packages/${core}/dist is missing: run pnpm build first`);
for (const r of RUNS) {
  buildModel(r.config); // the same checks as the page
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", NODE_RUN, JSON.stringify(r.config)], {
    cwd: pkg,
    encoding: "utf8",
  });
  if (p.status !== 0) throw new Error(`node run failed: ${p.stderr}`);
  const res = JSON.parse(p.stdout) as {
    status: string;
    states: number;
    elapsedMs: number;
    statesPerSec: number;
  };
  rows.push({
    where: "Node",
    name: r.name,
    states: res.states,
    seconds: res.elapsedMs / 1000,
    perSec: res.statesPerSec,
  });
  console.log(
    `Node     ${r.name}: ${res.status}, ${fmt(res.states)} states, ${(res.elapsedMs / 1000).toFixed(1)} s, ${fmt(res.statesPerSec)} states/s`,
  );
}

const out = buildAppToTemp();
const app = await serveApp({ dir: out });
const browser = await chromium.launch({ executablePath: executable, args: ["--no-sandbox"] });
try {
  for (const r of RUNS) {
    const page = await browser.newPage();
    await page.goto(
      `${app.url}#${encodeState({ view: "model", config: r.config, trace: [], at: 0, expanded: [] })}`,
    );
    await page.waitForSelector("svg.tree");
    await page.click("#start");
    await page.waitForSelector('#result:is([data-status="violation"], [data-status="ok"])', {
      timeout: 600_000,
    });
    const text = (await page.textContent("#result")) ?? "";
    const m = /([\d,]+) states, depth \d+, ([\d.]+) s, ([\d,]+) states\/s/.exec(text);
    if (!m) throw new Error(`unexpected result: ${text}`);
    const num = (s: string) => Number(s.replace(/,/g, ""));
    rows.push({
      where: "chromium (Web Worker)",
      name: r.name,
      states: num(m[1]!),
      seconds: Number(m[2]),
      perSec: num(m[3]!),
    });
    console.log(`browser  ${r.name}: ${text.split(":")[0]}`);
    await page.close();
  }
} finally {
  await browser.close();
  await app.close();
  rmSync(out, { recursive: true, force: true });
}

console.log("\n| run | where | distinct states | time | states/s |\n|---|---|---|---|---|");
for (const r of RUNS)
  for (const row of rows.filter((x) => x.name === r.name))
    console.log(
      `| ${row.name} | ${row.where} | ${fmt(row.states)} | ${row.seconds.toFixed(1)} s | ${fmt(row.perSec)} |`,
    );
