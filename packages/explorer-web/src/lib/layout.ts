import {
  assertNever,
  type Cache,
  type CacheKind,
  type Cid,
  type Scheme,
  showSet,
  type Tree,
} from "@adore/adore-core";
import { hierarchy, tree as d3tree } from "d3-hierarchy";
import type { Conflict } from "./trace.js";

/** A node of the drawn tree: one cache, or a collapsed run of entries (single-child MCaches and CCaches). */
export type DisplayNode =
  | { readonly type: "cache"; readonly cid: Cid; readonly kids: readonly DisplayNode[] }
  | {
      readonly type: "run";
      /** The run's caches, top to bottom; the first one's cid names the run. */
      readonly cids: readonly Cid[];
      readonly entries: number;
      readonly commits: number;
      readonly kids: readonly DisplayNode[];
    };

export interface DisplayOptions {
  /** Collapse runs of at least this many unremarkable caches (0: never). */
  readonly collapseRuns?: number;
  /** Runs (by their first cid) to draw expanded. */
  readonly expanded?: ReadonlySet<Cid>;
}

/**
 * The tree to draw. A cache is remarkable — always drawn — if it is the root, an ECache or RCache,
 * a leaf or a branch point; a chain of other caches (the MCaches and CCaches of one leader's log)
 * of `collapseRuns` or more becomes one node unless it is expanded.
 */
export function displayTree(tr: Tree<unknown>, o: DisplayOptions = {}): DisplayNode {
  const kids: Cid[][] = tr.caches.map(() => []);
  for (let i = 1; i < tr.parent.length; i++) kids[tr.parent[i]!]?.push(i);
  const min = o.collapseRuns ?? 0;
  const plain = (c: Cid) => {
    const k = tr.caches[c]!.kind;
    return c !== 0 && (k === "MCache" || k === "CCache") && kids[c]!.length === 1;
  };
  /** `open`: c continues an expanded run, so it is drawn as it is, like the rest of that run. */
  const build = (c: Cid, open: boolean): DisplayNode => {
    if (min > 0 && plain(c) && !open) {
      const cids: Cid[] = [];
      let x = c;
      while (plain(x)) {
        cids.push(x);
        x = kids[x]![0]!;
      }
      if (o.expanded?.has(c)) return { type: "cache", cid: c, kids: [build(kids[c]![0]!, true)] };
      if (cids.length >= min) {
        const commits = cids.filter((y) => tr.caches[y]!.kind === "CCache").length;
        return { type: "run", cids, entries: cids.length - commits, commits, kids: [build(x, false)] };
      }
    }
    const go = open && plain(c);
    return { type: "cache", cid: c, kids: kids[c]!.map((k) => build(k, go)) };
  };
  return build(0, false);
}

/** Which branch of a Replicated State Safety violation a node or edge lies on. */
export type Side = "a" | "b";

export interface LaidNode {
  /** `c<cid>` for a cache, `run<first cid>` for a collapsed run. */
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly shape: "circle" | "square" | "run";
  readonly kind?: CacheKind;
  readonly cid?: Cid;
  /** The run's first cid (what expanding it adds to `expanded`). */
  readonly run?: Cid;
  /** Inside the shape: `E S1` and `time.versn`; below it: supporters, method or configuration. */
  readonly lines: readonly string[];
  readonly below?: string;
  /** A longer description (tooltip). */
  readonly title: string;
  readonly added: boolean;
  readonly conflict?: Side;
  /** One of the two CCaches that witness the violation. */
  readonly witness: boolean;
  readonly fork: boolean;
}

export interface LaidEdge {
  readonly from: string;
  readonly to: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly conflict?: Side;
}

export interface Layout {
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
  readonly width: number;
  readonly height: number;
}

export interface Marks {
  readonly added?: Cid;
  readonly conflict?: Conflict;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const LETTER: Record<CacheKind, string> = { ECache: "E", MCache: "M", RCache: "R", CCache: "C" };
/** Horizontal and vertical distance between neighbouring nodes. */
export const NODE_DX = 100;
export const NODE_DY = 88;
export const NODE_R = 22;
const PAD = 50;

function cacheLines(scheme: Scheme<unknown>, c: Cache<unknown>, cid: Cid): [string[], string | undefined] {
  if (cid === 0) return [["root", "0.0"], scheme.print(c.conf)];
  const head = [`${LETTER[c.kind]} S${c.caller}`, `${c.time}.${c.versn}`];
  switch (c.kind) {
    case "ECache":
    case "CCache":
      return [head, showSet(c.supporters)];
    case "MCache":
      return [head, c.method.length > 18 ? `${c.method.slice(0, 17)}…` : c.method];
    case "RCache":
      return [head, scheme.print(c.conf)];
    default:
      return assertNever(c);
  }
}

function cacheTitle(scheme: Scheme<unknown>, c: Cache<unknown>, cid: Cid): string {
  const base = `#${cid} ${c.kind} caller S${c.caller}, time ${c.time}, versn ${c.versn}, conf ${scheme.print(c.conf)}`;
  switch (c.kind) {
    case "ECache":
    case "CCache":
      return `${base}, supporters ${showSet(c.supporters)}`;
    case "MCache":
      return `${base}, method ${c.method}`;
    case "RCache":
      return base;
    default:
      return assertNever(c);
  }
}

/**
 * Lays the display tree out top-down with d3-hierarchy's tidy tree (the paper's Figs. 5 and 12:
 * root on top, children below) and marks the step's added cache and the two conflicting branches.
 */
export function layoutTree(
  scheme: Scheme<unknown>,
  tr: Tree<unknown>,
  display: DisplayNode,
  marks: Marks = {},
): Layout {
  const root = hierarchy<DisplayNode>(display, (d) => d.kids as DisplayNode[]);
  d3tree<DisplayNode>()
    .nodeSize([NODE_DX, NODE_DY])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.25))(root);
  const sideOf = new Map<Cid, Side>();
  for (const c of marks.conflict?.branchA ?? []) sideOf.set(c, "a");
  for (const c of marks.conflict?.branchB ?? []) sideOf.set(c, "b");
  const witnesses = new Set(marks.conflict ? [marks.conflict.a, marks.conflict.b] : []);
  let minX = 0;
  let maxX = 0;
  let maxY = 0;
  for (const n of root.descendants()) {
    minX = Math.min(minX, n.x ?? 0);
    maxX = Math.max(maxX, n.x ?? 0);
    maxY = Math.max(maxY, n.y ?? 0);
  }
  const X = (x: number | undefined) => (x ?? 0) - minX + PAD;
  const Y = (y: number | undefined) => (y ?? 0) + PAD;
  const keyOf = (d: DisplayNode) => (d.type === "cache" ? `c${d.cid}` : `run${d.cids[0]}`);
  const sideOfNode = (d: DisplayNode): Side | undefined =>
    d.type === "cache" ? sideOf.get(d.cid) : d.cids.map((c) => sideOf.get(c)).find((s) => s !== undefined);
  const nodes: LaidNode[] = root.descendants().map((n) => {
    const d = n.data;
    const conflict = sideOfNode(d);
    if (d.type === "run") {
      const first = tr.caches[d.cids[0]!]!;
      const last = tr.caches[d.cids[d.cids.length - 1]!]!;
      return {
        key: keyOf(d),
        x: X(n.x),
        y: Y(n.y),
        shape: "run",
        run: d.cids[0]!,
        lines: [plural(d.entries, "entry", "entries"), plural(d.commits, "commit", "commits")],
        below: `${first.time}.${first.versn} – ${last.time}.${last.versn}`,
        title: `#${d.cids[0]}…#${d.cids[d.cids.length - 1]}: ${d.entries} entries and ${d.commits} commits of S${first.caller} (click to expand)`,
        added: marks.added !== undefined && d.cids.includes(marks.added),
        ...(conflict ? { conflict } : {}),
        witness: d.cids.some((c) => witnesses.has(c)),
        fork: false,
      };
    }
    const c = tr.caches[d.cid]!;
    const [lines, below] = cacheLines(scheme, c, d.cid);
    return {
      key: keyOf(d),
      x: X(n.x),
      y: Y(n.y),
      shape: c.kind === "CCache" ? "square" : "circle",
      kind: c.kind,
      cid: d.cid,
      lines,
      ...(below !== undefined ? { below } : {}),
      title: cacheTitle(scheme, c, d.cid),
      added: marks.added === d.cid,
      ...(conflict ? { conflict } : {}),
      witness: witnesses.has(d.cid),
      fork: marks.conflict?.fork === d.cid,
    };
  });
  const edges: LaidEdge[] = root.links().map((l) => {
    const conflict = sideOfNode(l.target.data);
    return {
      from: keyOf(l.source.data),
      to: keyOf(l.target.data),
      x1: X(l.source.x),
      y1: Y(l.source.y),
      x2: X(l.target.x),
      y2: Y(l.target.y),
      ...(conflict ? { conflict } : {}),
    };
  });
  return { nodes, edges, width: maxX - minX + 2 * PAD, height: maxY + 2 * PAD };
}
