// The page: model form and the explorer in a Web Worker, the stepper over a trace with the cache
// tree of every step, manual mode, and a recorded run's ADORE view. The whole state is kept in
// the URL's fragment (history.replaceState), so the address bar is always a shareable link.
import { type AdoreOptions, adoreInvariants, type ExploreProgress } from "@adore/adore-core";
import { getScheme, schemeNames } from "@adore/schemes";
import { EXAMPLES, type Example, fixtureWalk } from "../lib/examples.js";
import { displayTree, layoutTree } from "../lib/layout.js";
import { type BuiltModel, buildModel, LIMITS, type ModelConfig, USER_SCHEME } from "../lib/model.js";
import { parseStep, STEP_SYNTAX } from "../lib/steps.js";
import {
  attempt,
  conflictOf,
  extend,
  frameAt,
  keyStep,
  replaySteps,
  replayTexts,
  type Walk,
} from "../lib/trace.js";
import { DEFAULT_STATE, decodeState, encodeState, type PageState } from "../lib/url.js";
import { type ParsedView, parseAdoreViewJson } from "../lib/view-format.js";
import type { ExploreRequest, WorkerMessage } from "./protocol.js";
import { drawTree } from "./tree-view.js";
import { importSource } from "./user-module.js";
import "./style.css";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...kids: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

// ---- page state -------------------------------------------------------------------------------

let page: PageState = DEFAULT_STATE;
let built: BuiltModel | undefined;
let walk: Walk | undefined;
let title = "";
let runView: ParsedView | undefined;
let runSource = "";
let worker: Worker | undefined;
const userModules = new Map<string, Record<string, unknown>>();

/** Writes the page state into the address bar. */
function saveUrl(): void {
  const trace = walk ? walk.attempts.map((a) => a.text) : [];
  page = { ...page, trace, at: Math.min(page.at, trace.length) };
  history.replaceState(null, "", `#${encodeState(page)}`);
}

function showError(msg: string): void {
  $("error").textContent = msg;
}

async function userModule(config: ModelConfig): Promise<Record<string, unknown> | undefined> {
  if (config.scheme !== USER_SCHEME || config.userSource === undefined) return undefined;
  let m = userModules.get(config.userSource);
  if (!m) {
    m = await importSource(config.userSource);
    userModules.set(config.userSource, m);
  }
  return m;
}

/** Builds the model of the page's config; on a bad field shows the error and keeps the previous model. */
async function rebuild(): Promise<boolean> {
  try {
    built = buildModel(page.config, await userModule(page.config));
    showError("");
    return true;
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    built = undefined;
    return false;
  }
}

/** Replays the page's trace texts under the current model (a changed rule shows where the trace now breaks). */
function replayTrace(texts: readonly string[]): void {
  if (!built) {
    walk = undefined;
    return;
  }
  try {
    walk = replayTexts(built, texts);
  } catch (e) {
    showError(`the trace does not read under this model: ${e instanceof Error ? e.message : String(e)}`);
    walk = replaySteps(built, []);
  }
}

// ---- the model form ---------------------------------------------------------------------------

const RULES: readonly [keyof Omit<AdoreOptions, "recency">, string][] = [
  ["r1plus", "R1⁺"],
  ["r2", "R2"],
  ["r3", "R3"],
  ["qok", "Q_ok test"],
  ["strictTime", "pull: times < t (off: ≤)"],
];

function buildForm(): void {
  const f = $("form");
  const schemeSel = h("select", { id: "scheme", name: "scheme" });
  for (const n of schemeNames()) schemeSel.append(h("option", { value: n }, n));
  schemeSel.append(h("option", { value: USER_SCHEME }, "user-defined (paste a module)"));
  const num = (id: keyof typeof LIMITS, label: string) =>
    h(
      "label",
      {},
      label,
      h("input", {
        id,
        name: id,
        type: "number",
        min: String(LIMITS[id][0]),
        max: String(LIMITS[id][1]),
      }),
    );
  const check = (id: string, label: string) =>
    h("label", { class: "check" }, h("input", { id, type: "checkbox" }), label);
  const invSel = h("select", { id: "invariant" }, h("option", { value: "all" }, "all invariants"));
  for (const i of adoreInvariants(getScheme("raft-single").scheme))
    invSel.append(h("option", { value: i.name }, i.name));
  f.append(
    h("label", {}, "scheme", schemeSel),
    h(
      "label",
      { id: "user-box" },
      "scheme module (export const scheme = {…})",
      h("textarea", { id: "userSource", rows: "10", spellcheck: "false" }),
    ),
    h(
      "label",
      {},
      "initial configuration",
      h("input", { id: "conf0", type: "text", placeholder: "all nodes" }),
    ),
    h("div", { class: "row" }, num("nodes", "nodes"), num("depth", "depth ≤"), num("maxTime", "time ≤")),
    h("div", { class: "row" }, num("methods", "methods ≤"), num("reconfigs", "reconfigs ≤")),
    h("div", { class: "row" }, check("nonQuorum", "non-quorum pulls/pushes"), check("symmetry", "symmetry")),
    h("label", {}, "invariant", invSel),
    h(
      "fieldset",
      {},
      h("legend", {}, "rules (uncheck to drop)"),
      ...RULES.map(([k, label]) => check(`rule-${k}`, label)),
      h(
        "label",
        {},
        "pull's mostRecent",
        h(
          "select",
          { id: "recency" },
          h("option", { value: "adore" }, "ADORE (ECaches count)"),
          h("option", { value: "raft-log" }, "raft-log (log entries only)"),
        ),
      ),
    ),
  );
  f.addEventListener("change", () => void onFormChange());
  f.addEventListener("submit", (ev) => ev.preventDefault());
}

const input = (id: string) => $<HTMLInputElement>(id);

function fillForm(c: ModelConfig): void {
  $<HTMLSelectElement>("scheme").value = c.scheme;
  $<HTMLTextAreaElement>("userSource").value = c.userSource ?? "";
  $("user-box").hidden = c.scheme !== USER_SCHEME;
  input("conf0").value = c.conf0 ?? "";
  for (const k of ["nodes", "depth", "maxTime", "methods", "reconfigs"] as const)
    input(k).value = String(c[k]);
  input("nonQuorum").checked = c.nonQuorum;
  input("symmetry").checked = c.symmetry;
  $<HTMLSelectElement>("invariant").value = c.invariant;
  for (const [k] of RULES) input(`rule-${k}`).checked = c.rules[k];
  $<HTMLSelectElement>("recency").value = c.rules.recency;
}

function readForm(): ModelConfig {
  const scheme = $<HTMLSelectElement>("scheme").value;
  const src = $<HTMLTextAreaElement>("userSource").value;
  const conf0 = input("conf0").value.trim();
  const n = (id: string) => (input(id).value.trim() === "" ? Number.NaN : Number(input(id).value));
  const rules = { recency: $<HTMLSelectElement>("recency").value } as Record<string, unknown>;
  for (const [k] of RULES) rules[k] = input(`rule-${k}`).checked;
  return {
    scheme,
    ...(scheme === USER_SCHEME ? { userSource: src } : {}),
    nodes: n("nodes"),
    ...(conf0 !== "" ? { conf0 } : {}),
    depth: n("depth"),
    maxTime: n("maxTime"),
    methods: n("methods"),
    reconfigs: n("reconfigs"),
    nonQuorum: input("nonQuorum").checked,
    symmetry: input("symmetry").checked,
    invariant: $<HTMLSelectElement>("invariant").value,
    rules: rules as unknown as AdoreOptions,
  };
}

async function onFormChange(): Promise<void> {
  const texts = walk ? walk.attempts.map((a) => a.text) : [];
  page = { ...page, config: readForm() };
  $("user-box").hidden = page.config.scheme !== USER_SCHEME;
  if (await rebuild()) replayTrace(texts);
  saveUrl();
  render();
}

// ---- the explorer in a worker -----------------------------------------------------------------

function setRunning(running: boolean): void {
  input("start").disabled = running;
  input("stop").disabled = !running;
  document.body.dataset.running = String(running);
}

function showProgress(p: ExploreProgress, maxDepth: number, done = false): void {
  const frac = done ? 1 : Math.max(0, Math.min(1, (p.depth - 1) / maxDepth));
  ($("progress").querySelector(".fill") as HTMLElement).style.width = `${(frac * 100).toFixed(1)}%`;
  ($("progress").querySelector(".text") as HTMLElement).textContent =
    `depth ${p.depth}/${maxDepth} · ${fmt(p.states)} states · ${fmt(p.statesPerSec)} states/s`;
}

async function start(): Promise<void> {
  stop();
  const texts = walk ? walk.attempts.map((a) => a.text) : [];
  page = { ...page, config: readForm() };
  if (!(await rebuild()) || !built) return;
  const m = built;
  // the trace on the stepper now reads under the model being checked
  replayTrace(texts);
  render();
  $("result").textContent = "exploring…";
  $("result").dataset.status = "running";
  showProgress(
    { states: 0, transitions: 0, depth: 0, frontier: 0, elapsedMs: 0, statesPerSec: 0 },
    m.explore.maxDepth,
  );
  const w = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker = w;
  setRunning(true);
  w.onmessage = (ev: MessageEvent<WorkerMessage>) => {
    const msg = ev.data;
    switch (msg.type) {
      case "progress":
        showProgress(msg.progress, m.explore.maxDepth);
        break;
      case "error":
        showError(msg.message);
        $("result").textContent = "";
        $("result").dataset.status = "error";
        stop();
        break;
      case "done": {
        const r = msg.result;
        stop();
        showProgress(
          {
            states: r.states,
            transitions: r.transitions,
            depth: r.depth,
            frontier: 0,
            elapsedMs: r.elapsedMs,
            statesPerSec: r.statesPerSec,
          },
          m.explore.maxDepth,
          true,
        );
        const summary = `${fmt(r.states)} states, depth ${r.depth}, ${(r.elapsedMs / 1000).toFixed(1)} s, ${fmt(r.statesPerSec)} states/s`;
        if (r.violation) {
          walk = replaySteps(m, r.violation.steps);
          title = `VIOLATION of ${r.violation.invariant}: shortest counterexample, ${r.violation.steps.length} steps`;
          $("result").textContent =
            `VIOLATION of ${r.violation.invariant} (${summary}): ${r.violation.message}`;
          $("result").dataset.status = "violation";
          page = { ...page, view: "model", at: 0 };
        } else {
          $("result").textContent =
            r.status === "complete"
              ? `no violation: every reachable state satisfies the invariants (${summary})`
              : `no violation within the bounds (${r.status}: ${summary})`;
          $("result").dataset.status = "ok";
        }
        saveUrl();
        render();
        break;
      }
    }
  };
  w.onerror = (ev) => {
    showError(`the explorer's worker failed: ${ev.message}`);
    stop();
  };
  const req: ExploreRequest = { type: "explore", config: page.config };
  w.postMessage(req);
}

function stop(): void {
  if (worker) {
    worker.terminate();
    worker = undefined;
    if ($("result").dataset.status === "running") {
      $("result").textContent = "stopped";
      $("result").dataset.status = "stopped";
    }
  }
  setRunning(false);
}

// ---- the stepper ------------------------------------------------------------------------------

function go(i: number): void {
  if (!walk) return;
  page = { ...page, at: Math.max(0, Math.min(walk.attempts.length, i)) };
  saveUrl();
  render();
}

function renderWalk(): void {
  const box = $("tree-box");
  box.replaceChildren();
  $("detail").replaceChildren();
  $("verdict").replaceChildren();
  $("steps").replaceChildren();
  $("title").textContent = title;
  if (!built || !walk) {
    $("position").textContent = "";
    return;
  }
  const m = built;
  const fr = frameAt(m, walk, page.at);
  $("position").textContent = `step ${fr.index} / ${fr.total}`;
  $("position").dataset.index = String(fr.index);
  $("position").dataset.total = String(fr.total);
  const d = $("detail");
  if (fr.attempt) {
    const a = fr.attempt;
    d.append(
      h("div", { class: "op", "data-testid": "op" }, `${fr.index}. ${a.text}`),
      ...(a.note ? [h("div", { class: "note" }, a.note)] : []),
      h("div", { class: "oracle" }, `oracle: ${fr.oracle.join(" · ")}`),
      a.outcome.ok
        ? h("div", { class: "rule", "data-testid": "rule" }, `accepted by ${a.outcome.rule}`)
        : h(
            "div",
            { class: "rule rejected", "data-testid": "rule" },
            `rejected (${a.outcome.reason.rule}, premise ${a.outcome.reason.premise}): ${a.outcome.reason.message}`,
          ),
    );
  } else
    d.append(h("div", { class: "op" }, "initial state: the root, committed and supported by every node"));
  const st = fr.state;
  d.append(
    h(
      "div",
      { class: "times" },
      `times: ${st.times
        .slice(1)
        .map((t, i) => `S${i + 1}=${t}`)
        .join(" ")}`,
    ),
  );
  const layout = layoutTree(m.entry.scheme, st, displayTree(st), {
    ...(fr.added !== undefined ? { added: fr.added } : {}),
    ...(fr.conflict ? { conflict: fr.conflict } : {}),
  });
  box.append(drawTree(layout));
  if (fr.violation) {
    const v = h(
      "div",
      { class: "violation", "data-testid": "violation" },
      `${fr.violation.invariant} violated: ${fr.violation.message}`,
    );
    if (fr.conflict)
      v.append(
        h("br"),
        h("span", { class: "side-a" }, `branch A → #${fr.conflict.a}`),
        " and ",
        h("span", { class: "side-b" }, `branch B → #${fr.conflict.b}`),
        ` fork at #${fr.conflict.fork}`,
      );
    $("verdict").append(v);
  }
  const list = $("steps");
  walk.attempts.forEach((a, i) => {
    const li = h(
      "li",
      { class: a.outcome.ok ? "" : "rejected", "data-index": String(i + 1) },
      h("span", { class: "text" }, a.text),
      h("span", { class: "r" }, a.outcome.ok ? a.outcome.rule : `✗ ${a.outcome.reason.premise}`),
    );
    if (i + 1 === fr.index) li.classList.add("current");
    li.addEventListener("click", () => go(i + 1));
    list.append(li);
  });
  renderEnabled(m, fr.state);
}

const ENABLED_SHOWN = 400;

function renderEnabled(m: BuiltModel, st: Walk["initial"]): void {
  const ul = $("enabled");
  ul.replaceChildren();
  const en = m.spec.enabled(st, m.bounds);
  $("enabled-head").textContent =
    `${en.length} enabled step${en.length === 1 ? "" : "s"} (bounds: time ≤ ${m.bounds.maxTime}, methods ≤ ${m.bounds.maxMethods}, reconfigs ≤ ${m.bounds.maxReconfigs}${m.bounds.nonQuorum ? "" : ", quorums only"})`;
  for (const a of en.slice(0, ENABLED_SHOWN)) {
    const b = h("button", { type: "button" }, m.spec.showStep(a));
    b.addEventListener("click", () => take(a));
    ul.append(h("li", {}, b));
  }
  if (en.length > ENABLED_SHOWN) ul.append(h("li", {}, `… ${en.length - ENABLED_SHOWN} more (type one)`));
}

function take(a: Parameters<typeof attempt>[2]): void {
  if (!built) return;
  const w = walk ?? replaySteps(built, []);
  walk = extend(built, w, page.at, a);
  if (!title) title = "manual walk";
  page = { ...page, at: walk.attempts.length };
  saveUrl();
  render();
}

function tryTyped(text: string): void {
  const out = $("try-result");
  out.replaceChildren();
  if (!built) return;
  let a: ReturnType<typeof parseStep>;
  try {
    a = parseStep(built.entry, text);
  } catch (e) {
    out.append(
      h("div", { class: "rejected" }, `${e instanceof Error ? e.message : String(e)}`),
      h("div", { class: "hint" }, STEP_SYNTAX),
    );
    return;
  }
  const st = walk ? frameAt(built, walk, page.at).state : built.spec.init(built.bounds);
  const at = attempt(built, st, a);
  if (!at.outcome.ok) {
    const r = at.outcome.reason;
    out.append(
      h(
        "div",
        { class: "rejected", "data-testid": "rejection" },
        `${at.text} is rejected by ${r.rule} (premise ${r.premise}): ${r.message}`,
      ),
    );
    return;
  }
  out.append(h("div", { class: "accepted" }, `${at.text}: ${at.outcome.rule}`));
  take(a);
}

// ---- a recorded run's ADORE view ---------------------------------------------------------------

function renderRun(): void {
  const box = $("tree-box");
  box.replaceChildren();
  $("detail").replaceChildren();
  $("verdict").replaceChildren();
  $("steps").replaceChildren();
  $("enabled").replaceChildren();
  $("enabled-head").textContent = "";
  if (!runView) return;
  const v = runView;
  $("title").textContent = v.json.title ?? `recorded run (${runSource})`;
  const expanded = new Set(page.expanded);
  const toggle = (cid: number) => {
    const next = new Set(expanded);
    if (next.has(cid)) next.delete(cid);
    else next.add(cid);
    page = { ...page, expanded: [...next].sort((a, b) => a - b) };
    saveUrl();
    render();
  };
  const conflict = conflictOf(v.state);
  const layout = layoutTree(v.entry.scheme, v.state, displayTree(v.state, { collapseRuns: 3, expanded }), {
    ...(conflict ? { conflict } : {}),
  });
  box.append(drawTree(layout, toggle, (cid) => expanded.has(cid) && toggle(cid)));
  const caches = v.state.caches;
  const count = (k: string) => caches.filter((c) => c.kind === k).length;
  $("detail").append(
    h(
      "div",
      { class: "op" },
      `${v.json.scheme}: ${fmt(v.json.steps)} pull/invoke/reconfig/push steps, ${caches.length} caches (${count("ECache")} E, ${count("MCache")} M, ${count("RCache")} R, ${count("CCache")} C), ${v.json.refused.length} refused`,
    ),
    h(
      "div",
      { class: "hint" },
      "runs of entries are collapsed: click one to expand it, click its first cache to collapse it again",
    ),
    h("div", { class: "times" }, `times: ${v.json.times.map((t, i) => `S${i + 1}=${t}`).join(" ")}`),
  );
  $("verdict").append(
    h(
      "div",
      { class: v.safety === null ? "safe" : "violation" },
      v.safety === null ? "Replicated State Safety holds" : `Replicated State Safety FAILS: ${v.safety}`,
    ),
  );
  for (const r of v.json.refused.slice(0, 50))
    $("steps").append(h("li", { class: "rejected" }, `refused: ${r}`));
}

async function openRun(text: string, source: string, url?: string): Promise<void> {
  try {
    runView = parseAdoreViewJson(text);
    runSource = source;
    // a file picked on this computer cannot be in the link; an address can
    const { run: _previous, ...rest } = page;
    page = { ...rest, view: "run", ...(url !== undefined ? { run: url } : {}) };
    showError("");
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
  saveUrl();
  render();
}

async function fetchRun(url: string): Promise<void> {
  try {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
    await openRun(await r.text(), url, url);
  } catch (e) {
    showError(`cannot open the run ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---- examples, rendering, start-up ------------------------------------------------------------

async function openExample(ex: Example): Promise<void> {
  stop();
  page = { ...DEFAULT_STATE, config: ex.config };
  fillForm(ex.config);
  if (!(await rebuild()) || !built) return;
  walk = fixtureWalk(built, ex.fixture);
  title = ex.title;
  $("result").textContent = "";
  saveUrl();
  render();
}

function render(): void {
  document.body.dataset.view = page.view;
  if (page.view === "run") renderRun();
  else renderWalk();
}

async function load(): Promise<void> {
  const hash = location.hash.replace(/^#/, "");
  if (hash === "") {
    await openExample(EXAMPLES[0]!);
    return;
  }
  try {
    page = decodeState(hash);
  } catch (e) {
    showError(`${e instanceof Error ? e.message : String(e)} — opening Fig. 12 instead`);
    await openExample(EXAMPLES[0]!);
    return;
  }
  fillForm(page.config);
  if (await rebuild()) replayTrace(page.trace);
  title = page.trace.length ? "shared trace" : "";
  if (page.view === "run" && page.run !== undefined) await fetchRun(page.run);
  render();
}

function setup(): void {
  const nav = $("examples");
  for (const ex of EXAMPLES) {
    const b = h(
      "button",
      { type: "button", "data-example": ex.id, title: ex.title },
      ex.id === "fig12" ? "Fig. 12 (R3 off)" : "Fig. 12 with R3",
    );
    b.addEventListener("click", () => void openExample(ex));
    nav.append(b);
  }
  buildForm();
  $("start").addEventListener("click", () => void start());
  $("stop").addEventListener("click", () => stop());
  $("first").addEventListener("click", () => go(0));
  $("prev").addEventListener("click", () => go(page.at - 1));
  $("next").addEventListener("click", () => go(page.at + 1));
  $("last").addEventListener("click", () => go(walk ? walk.attempts.length : 0));
  $("try-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    tryTyped(input("try").value);
  });
  $("share").addEventListener("click", () => {
    saveUrl();
    void navigator.clipboard?.writeText(location.href).catch(() => {});
    $("share").textContent = "Link copied";
    setTimeout(() => {
      $("share").textContent = "Copy link";
    }, 1500);
  });
  input("run-file").addEventListener("change", async () => {
    const f = input("run-file").files?.[0];
    if (f) await openRun(await f.text(), f.name);
  });
  document.addEventListener("keydown", (ev) => {
    const t = ev.target as HTMLElement | null;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (page.view !== "model" || !walk) return;
    const next = keyStep(page.at, walk.attempts.length, ev.key);
    if (next !== page.at) {
      ev.preventDefault();
      go(next);
    }
  });
  void load();
}

setup();
