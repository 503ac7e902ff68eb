import type { AdoreOptions } from "@adore/adore-core";
import { FIG12_CONFIG, type ModelConfig } from "./model.js";

/**
 * The whole state of the page, as it is kept in the URL's fragment (so a static host serves any
 * state, and a link reproduces it): the model and bounds, the trace on the stepper as step texts,
 * the stepper's position, and for a recorded run its address and the expanded runs of entries.
 */
export interface PageState {
  readonly view: "model" | "run";
  readonly config: ModelConfig;
  /** The steps on the stepper, as `showStep` prints them. */
  readonly trace: readonly string[];
  /** Stepper position: 0 the initial state, i after step i. */
  readonly at: number;
  /** A recorded run's ADORE view (JSON), relative to the page or absolute. */
  readonly run?: string;
  /** Ids (first cids) of the expanded runs of entries in the run view. */
  readonly expanded: readonly number[];
}

export const DEFAULT_STATE: PageState = {
  view: "model",
  config: FIG12_CONFIG,
  trace: [],
  at: 0,
  expanded: [],
};

/** A URL parameter that does not read: which one and why. */
export class UrlStateError extends Error {
  constructor(
    readonly param: string,
    why: string,
  ) {
    super(`link parameter ${param}: ${why}`);
    this.name = "UrlStateError";
  }
}

const RULE_PARAMS = [
  ["r1", "r1plus"],
  ["r2", "r2"],
  ["r3", "r3"],
  ["qok", "qok"],
  ["strict", "strictTime"],
] as const;

/** UTF-8 text as base64url (a pasted scheme's source in the link). */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(param: string, s: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new UrlStateError(param, "not base64url text");
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw new UrlStateError(param, "not UTF-8 text");
  }
}

/** The page state as a URL fragment (without `#`); parameters at their defaults are still written, so a link is explicit. */
export function encodeState(s: PageState): string {
  const p = new URLSearchParams();
  const c = s.config;
  p.set("view", s.view);
  p.set("scheme", c.scheme);
  if (c.userSource !== undefined) p.set("src", toBase64Url(c.userSource));
  p.set("nodes", String(c.nodes));
  if (c.conf0 !== undefined) p.set("conf0", c.conf0);
  p.set("depth", String(c.depth));
  p.set("time", String(c.maxTime));
  p.set("methods", String(c.methods));
  p.set("reconfigs", String(c.reconfigs));
  p.set("nonquorum", c.nonQuorum ? "1" : "0");
  p.set("symmetry", c.symmetry ? "1" : "0");
  p.set("inv", c.invariant);
  for (const [k, f] of RULE_PARAMS) p.set(k, c.rules[f] ? "1" : "0");
  p.set("recency", c.rules.recency);
  // one step a line: a step text is one line (showStep), while a configuration may hold any other character
  if (s.trace.length) p.set("trace", s.trace.join("\n"));
  if (s.at) p.set("at", String(s.at));
  if (s.run !== undefined) p.set("run", s.run);
  if (s.expanded.length) p.set("open", s.expanded.join(","));
  return p.toString();
}

/**
 * Reads a URL fragment (with or without `#`); parameters left out take the Fig. 12 defaults.
 * Throws UrlStateError naming the first parameter that does not read.
 */
export function decodeState(fragment: string): PageState {
  const p = new URLSearchParams(fragment.replace(/^#/, ""));
  const d = DEFAULT_STATE;
  const int = (k: string, dflt: number): number => {
    const v = p.get(k);
    if (v === null) return dflt;
    if (!/^\d+$/.test(v)) throw new UrlStateError(k, `${JSON.stringify(v)} is not a non-negative integer`);
    return Number(v);
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = p.get(k);
    if (v === null) return dflt;
    if (v !== "0" && v !== "1") throw new UrlStateError(k, `${JSON.stringify(v)} is not 0 or 1`);
    return v === "1";
  };
  const view = p.get("view") ?? d.view;
  if (view !== "model" && view !== "run")
    throw new UrlStateError("view", `${JSON.stringify(view)} is not one of model, run`);
  const recency = p.get("recency") ?? d.config.rules.recency;
  if (recency !== "adore" && recency !== "raft-log")
    throw new UrlStateError("recency", `${JSON.stringify(recency)} is not one of adore, raft-log`);
  const rules: Record<string, unknown> = { recency };
  for (const [k, f] of RULE_PARAMS) rules[f] = bool(k, d.config.rules[f]);
  const src = p.get("src");
  const conf0 = p.get("conf0");
  const config: ModelConfig = {
    scheme: p.get("scheme") ?? d.config.scheme,
    ...(src !== null ? { userSource: fromBase64Url("src", src) } : {}),
    nodes: int("nodes", d.config.nodes),
    ...(conf0 !== null && conf0 !== "" ? { conf0 } : {}),
    depth: int("depth", d.config.depth),
    maxTime: int("time", d.config.maxTime),
    methods: int("methods", d.config.methods),
    reconfigs: int("reconfigs", d.config.reconfigs),
    nonQuorum: bool("nonquorum", d.config.nonQuorum),
    symmetry: bool("symmetry", d.config.symmetry),
    invariant: p.get("inv") ?? d.config.invariant,
    rules: rules as unknown as AdoreOptions,
  };
  const traceText = p.get("trace");
  const trace = traceText ? traceText.split("\n").filter((t) => t !== "") : [];
  const at = int("at", 0);
  if (at > trace.length) throw new UrlStateError("at", `${at} is past the trace's ${trace.length} steps`);
  const openText = p.get("open");
  const expanded = openText
    ? openText.split(",").map((x) => {
        if (!/^\d+$/.test(x)) throw new UrlStateError("open", `${JSON.stringify(x)} is not a cache id`);
        return Number(x);
      })
    : [];
  const run = p.get("run");
  return { view, config, trace, at, ...(run !== null ? { run } : {}), expanded };
}
