// The app in a real browser: Debian's chromium driven by playwright-core. The app is built with
// Vite (as the package's build does) and served by the package's own static server (as `adore ui`
// does). In CI the browser is installed by scripts/install-chromium.sh and this test never skips;
// elsewhere it skips, saying so, when no chromium is installed.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedApp, serveApp } from "../src/node/server.js";
import { buildAppToTemp, findChromium } from "./support.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(pkg, "out", "browser");
const executable = findChromium();
const inCI = !!process.env.CI && process.env.CI !== "false";
if (!executable && !inCI)
  console.warn(
    "\n[explorer-web] SKIPPING the browser test: no chromium found (looked at $ADORE_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser); " +
      "sh scripts/install-chromium.sh installs it. In CI (CI=true) this test fails instead of skipping.\n",
  );

const RUN_FIXTURE = join(pkg, "test", "fixtures", "experiment-adore-view.json");

describe.skipIf(!executable && !inCI)("the explorer in a real browser (chromium)", () => {
  let app: ServedApp;
  let browser: Browser;
  let built: string;

  beforeAll(async () => {
    if (!executable)
      throw new Error("CI: chromium is missing (scripts/install-chromium.sh should have installed it)");
    built = buildAppToTemp();
    app = await serveApp({ dir: built, files: { "/run/adore-view.json": RUN_FIXTURE } });
    browser = await chromium.launch({ executablePath: executable, args: ["--no-sandbox"] });
    mkdirSync(OUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (built) rmSync(built, { recursive: true, force: true });
  });

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.goto(url);
    await page.waitForSelector("svg.tree");
    return page;
  };

  /** raft-single, 4 nodes, raft-log pull, R3 on or off; depth 8, time ≤ 3, ≤ 1 method, ≤ 2 reconfigs (as adore demo), quorum steps only. */
  const setModel = async (page: Page, r3: boolean) => {
    await page.selectOption("#scheme", "raft-single");
    await page.fill("#nodes", "4");
    await page.fill("#depth", "8");
    await page.fill("#maxTime", "3");
    await page.fill("#methods", "1");
    await page.fill("#reconfigs", "2");
    await page.setChecked("#nonQuorum", false);
    await page.setChecked("#symmetry", true);
    await page.selectOption("#invariant", "ReplicatedStateSafety");
    await page.selectOption("#recency", "raft-log");
    for (const r of ["r1plus", "r2", "qok", "strictTime"]) await page.setChecked(`#rule-${r}`, true);
    await page.setChecked("#rule-r3", r3);
  };

  /** Waits for the check to end and returns its status; a failed check shows the page's error. */
  const outcome = async (page: Page, timeout: number): Promise<string | null> => {
    await page.waitForSelector(
      '#result:is([data-status="violation"], [data-status="ok"], [data-status="error"])',
      {
        timeout,
      },
    );
    const status = await page.getAttribute("#result", "data-status");
    if (status === "error") expect.fail(`the check failed in the page: ${await page.textContent("#error")}`);
    return status;
  };

  const stepTexts = (page: Page) => page.locator("#steps li .text").allTextContents();

  let shared = "";
  let trace: string[] = [];

  it("opens on Fig. 12, runs raft-single / 4 nodes / raft-log / R3 off, and steps the counterexample to the two branches", async () => {
    const page = await open(app.url);
    expect(await page.textContent("#title")).toMatch(/Fig\. 12 without R3/);
    expect(await stepTexts(page)).toHaveLength(8);
    await setModel(page, false);
    await page.click("#start");
    expect(await outcome(page, 110_000)).toBe("violation");
    const progress = await page.textContent("#progress .text");
    console.log(`[explorer-web] in the browser: ${progress}`);
    expect(await page.textContent("#result")).toMatch(/VIOLATION of ReplicatedStateSafety/);
    trace = await stepTexts(page);
    expect(trace).toHaveLength(8);
    // step with the keyboard: forward once, then to the end
    await page.keyboard.press("ArrowRight");
    expect(await page.getAttribute("#position", "data-index")).toBe("1");
    expect(await page.textContent('[data-testid="rule"]')).toBe("accepted by PULLOK");
    expect(await page.textContent("#detail .oracle")).toMatch(/C_max = mostRecent\(tree, Q\) = #0/);
    expect(await page.locator('svg.tree g[data-added="true"]').count()).toBe(1);
    await page.keyboard.press("End");
    expect(await page.textContent("#position")).toBe("step 8 / 8");
    // the two conflicting branches are marked, each ending in one of the two witnessing CCaches
    const a = page.locator('svg.tree g.node[data-conflict="a"]');
    const b = page.locator('svg.tree g.node[data-conflict="b"]');
    expect(await a.count()).toBeGreaterThan(0);
    expect(await b.count()).toBeGreaterThan(0);
    const witnesses = page.locator('svg.tree g.node[data-witness="true"]');
    expect(await witnesses.count()).toBe(2);
    expect(await witnesses.evaluateAll((gs) => gs.map((g) => g.getAttribute("data-kind")))).toEqual([
      "CCache",
      "CCache",
    ]);
    expect(await page.locator('svg.tree line[data-conflict="a"]').count()).toBe(await a.count());
    expect(await page.locator('svg.tree line[data-conflict="b"]').count()).toBe(await b.count());
    expect(await page.textContent('[data-testid="violation"]')).toMatch(
      /ReplicatedStateSafety violated: .* are on different branches/,
    );
    await page.screenshot({ path: join(OUT, "counterexample-last-step.png"), fullPage: true });
    shared = page.url();
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("the shared link opens the same trace at the same step", async () => {
    expect(shared).toMatch(/#.*trace=/);
    const page = await open(shared);
    expect(await stepTexts(page)).toEqual(trace);
    expect(await page.textContent("#position")).toBe("step 8 / 8");
    expect(await page.locator('svg.tree g.node[data-witness="true"]').count()).toBe(2);
    expect(await page.locator("#rule-r3").isChecked()).toBe(false);
    expect(await page.inputValue("#recency")).toBe("raft-log");
    // manual mode from the first state: a typed step is rejected with its premise, an enabled one is taken
    await page.keyboard.press("Home");
    await page.fill("#try", "push(S1, Q={1,2}, C_M=#0)");
    await page.click("#try-form button");
    expect(await page.textContent('[data-testid="rejection"]')).toBe(
      "push(S1, Q={1,2}, C_M=#0) is rejected by VALIDPUSHORACLE (premise canCommit): canCommit: #0 is an CCache, not an MCache or RCache",
    );
    const first = page.locator("#enabled button").first();
    const text = await first.textContent();
    await first.click();
    expect(await page.textContent("#position")).toBe("step 1 / 1");
    expect(await stepTexts(page)).toEqual([text]);
    await page.close();
  }, 60_000);

  it("with R3 on, the same check finds no violation within the bounds", async () => {
    const page = await open(app.url);
    await setModel(page, true);
    await page.click("#start");
    expect(await outcome(page, 110_000)).toBe("ok");
    expect(await page.textContent("#result")).toMatch(/^no violation within the bounds \(depth-bound: /);
    await page.close();
  }, 120_000);

  it("a pasted user-defined scheme (the schemes README's) is checked in the worker, and travels in the link", async () => {
    const readme = readFileSync(join(pkg, "..", "schemes", "README.md"), "utf8");
    const src = /<!-- example: unanimous\.mjs -->\n```js\n([\s\S]*?)```/.exec(readme)![1]!;
    const page = await open(app.url);
    await setModel(page, true);
    await page.selectOption("#scheme", "user");
    await page.fill("#userSource", src);
    for (const [id, v] of [
      ["nodes", "3"],
      ["depth", "6"],
      ["maxTime", "2"],
      ["reconfigs", "1"],
    ] as const)
      await page.fill(`#${id}`, v);
    await page.selectOption("#invariant", "all");
    await page.click("#start");
    expect(await outcome(page, 60_000)).toBe("ok");
    expect(await page.textContent("#result")).toMatch(/^no violation within the bounds \(depth-bound: /);
    await page.fill("#try", "pull(S1, Q={1,2,3}, t=1)");
    await page.click("#try-form button");
    expect(await stepTexts(page)).toEqual(["pull(S1, Q={1,2,3}, t=1)"]);
    const again = await open(page.url());
    expect(await again.inputValue("#scheme")).toBe("user");
    expect(await again.inputValue("#userSource")).toBe(src);
    expect(await stepTexts(again)).toEqual(["pull(S1, Q={1,2,3}, t=1)"]);
    expect(await again.textContent('[data-testid="rule"]')).toBe("accepted by PULLOK");
    await again.close();
    await page.close();
  }, 60_000);

  it("Stop ends a run that would go on for long, and the page keeps working", async () => {
    const page = await open(app.url);
    await setModel(page, true);
    await page.fill("#depth", "40");
    await page.setChecked("#nonQuorum", true);
    await page.click("#start");
    await page.waitForFunction(() =>
      /[1-9][\d,]* states/.test(document.querySelector("#progress .text")?.textContent ?? ""),
    );
    expect(await page.isDisabled("#start")).toBe(true);
    await page.click("#stop");
    expect(await page.textContent("#result")).toBe("stopped");
    expect(await page.isDisabled("#start")).toBe(false);
    expect(await page.isDisabled("#stop")).toBe(true);
    await page.close();
  }, 60_000);

  it("opens a recorded run's ADORE view with long runs of entries collapsed, and expands one", async () => {
    const page = await open(`${app.url}#view=run&run=${encodeURIComponent("./run/adore-view.json")}`);
    const runs = page.locator("svg.tree g[data-run]");
    const collapsed = await runs.count();
    expect(collapsed).toBeGreaterThan(1);
    expect(await page.textContent("#verdict")).toBe("Replicated State Safety holds");
    const nodes = await page.locator("svg.tree g.node").count();
    await page.screenshot({ path: join(OUT, "recorded-run.png"), fullPage: true });
    await runs.nth(0).click();
    expect(await page.locator("svg.tree g[data-run]").count()).toBe(collapsed - 1);
    expect(await page.locator("svg.tree g.node").count()).toBeGreaterThan(nodes);
    expect(page.url()).toMatch(/open=\d+/);
    await page.close();
  }, 60_000);
});
