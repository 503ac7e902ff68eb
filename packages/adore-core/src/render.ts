import { hierarchy, tree as d3tree } from "d3-hierarchy";
import { assertNever, type Cache, type Cid, supporters } from "./cache.js";
import { showSet } from "./nodeset.js";
import type { Scheme } from "./scheme.js";
import { children, type Tree } from "./tree.js";

export interface RenderOptions {
  /** Caches to draw attention to (e.g. the two CCaches of a safety violation). */
  readonly highlight?: readonly Cid[];
  readonly title?: string;
}

const KIND_LETTER = { ECache: "E", MCache: "M", RCache: "R", CCache: "C" } as const;

/** One line describing a cache: `#3 R S2 (t=2,v=1) conf={1,2,4}`. */
export function describeCache<C>(scheme: Scheme<C>, tr: Tree<C>, cid: Cid): string {
  const c = tr.caches[cid]!;
  if (cid === 0) return `#0 root (t=0,v=0) conf=${scheme.print(c.conf)}`;
  const head = `#${cid} ${KIND_LETTER[c.kind]} S${c.caller} (t=${c.time},v=${c.versn})`;
  const p = tr.caches[tr.parent[cid]!];
  const confNote =
    c.kind === "RCache" || (p && !scheme.equals(p.conf, c.conf)) ? ` conf=${scheme.print(c.conf)}` : "";
  switch (c.kind) {
    case "ECache":
    case "CCache":
      return `${head} supp=${showSet(c.supporters)}${confNote}`;
    case "MCache":
      return `${head} ${c.method}${confNote}`;
    case "RCache":
      return `${head}${confNote}`;
    default:
      return assertNever(c);
  }
}

/** The cache tree as indented ASCII art, for terminals and test failures. */
export function renderAscii<C>(scheme: Scheme<C>, tr: Tree<C>, opts: RenderOptions = {}): string {
  const hl = new Set(opts.highlight ?? []);
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  const walk = (cid: Cid, prefix: string, last: boolean, top: boolean) => {
    const mark = hl.has(cid) ? "  ◀" : "";
    lines.push(`${top ? "" : prefix + (last ? "└─ " : "├─ ")}${describeCache(scheme, tr, cid)}${mark}`);
    const kids = children(tr, cid);
    kids.forEach((k, i) => {
      walk(k, top ? "" : prefix + (last ? "   " : "│  "), i === kids.length - 1, false);
    });
  };
  walk(0, "", true, true);
  return lines.join("\n");
}

/** The cache tree in Graphviz DOT: circles for E/M/R caches, boxes for CCaches. */
export function renderDot<C>(scheme: Scheme<C>, tr: Tree<C>, opts: RenderOptions = {}): string {
  const hl = new Set(opts.highlight ?? []);
  const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const out = ["digraph cachetree {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];'];
  if (opts.title) out.push(`  label="${esc(opts.title)}"; labelloc=t;`);
  for (let cid = 0; cid < tr.caches.length; cid++) {
    const c = tr.caches[cid]!;
    const shape = c.kind === "CCache" ? "box" : "circle";
    const label = nodeLines(scheme, tr, cid).join("\\n");
    const color = hl.has(cid) ? ', color="red", penwidth=2' : "";
    out.push(
      `  c${cid} [shape=${shape}, style=filled, fillcolor="${FILL[c.kind]}", label="${esc(label)}"${color}];`,
    );
  }
  for (let cid = 1; cid < tr.caches.length; cid++) out.push(`  c${tr.parent[cid]} -> c${cid};`);
  out.push("}");
  return out.join("\n");
}

const FILL = { ECache: "#cfe3ff", MCache: "#ffffff", RCache: "#ffd9a8", CCache: "#c9efc4" } as const;

function nodeLines<C>(scheme: Scheme<C>, tr: Tree<C>, cid: Cid): string[] {
  const c: Cache<C> = tr.caches[cid]!;
  if (cid === 0) return ["root", "0.0", scheme.print(c.conf)];
  const lines = [`${KIND_LETTER[c.kind]} S${c.caller}`, `${c.time}.${c.versn}`];
  if (c.kind === "MCache") lines.push(c.method);
  if (c.kind === "RCache") lines.push(scheme.print(c.conf));
  if (c.kind === "ECache" || c.kind === "CCache") lines.push(showSet(supporters(c)));
  return lines;
}

interface Node {
  readonly cid: Cid;
  readonly kids: Node[];
}

/**
 * A standalone SVG of the cache tree laid out with d3-hierarchy, drawn like the paper's Fig. 5:
 * circles for E/M/R caches, squares for CCaches, caller/time/versn and supporters on each node.
 */
export function renderSvg<C>(scheme: Scheme<C>, tr: Tree<C>, opts: RenderOptions = {}): string {
  const hl = new Set(opts.highlight ?? []);
  const build = (cid: Cid): Node => ({ cid, kids: children(tr, cid).map(build) });
  const root = hierarchy<Node>(build(0), (d) => d.kids);
  const DX = 96;
  const DY = 92;
  d3tree<Node>().nodeSize([DX, DY])(root);
  const nodes = root.descendants();
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = 0;
  for (const n of nodes) {
    minX = Math.min(minX, n.x ?? 0);
    maxX = Math.max(maxX, n.x ?? 0);
    maxY = Math.max(maxY, n.y ?? 0);
  }
  const pad = 60;
  const top = opts.title ? 40 : 10;
  const W = Math.max(maxX - minX + 2 * pad, opts.title ? opts.title.length * 7.5 + 20 : 0);
  if (W > maxX - minX + 2 * pad) minX -= (W - (maxX - minX + 2 * pad)) / 2;
  const H = maxY + top + pad + 40;
  const X = (x: number | undefined) => (x ?? 0) - minX + pad;
  const Y = (y: number | undefined) => (y ?? 0) + top + 30;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (opts.title)
    out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`);
  for (const l of root.links())
    out.push(
      `<line x1="${X(l.source.x)}" y1="${Y(l.source.y)}" x2="${X(l.target.x)}" y2="${Y(l.target.y)}" stroke="#555" stroke-width="1.2"/>`,
    );
  const R = 22;
  for (const n of nodes) {
    const cid = n.data.cid;
    const c = tr.caches[cid]!;
    const x = X(n.x);
    const y = Y(n.y);
    const stroke = hl.has(cid) ? `stroke="#d00" stroke-width="3"` : `stroke="#333" stroke-width="1.2"`;
    out.push(`<g data-cid="${cid}" data-kind="${c.kind}">`);
    if (c.kind === "CCache")
      out.push(
        `<rect x="${x - R}" y="${y - R}" width="${2 * R}" height="${2 * R}" fill="${FILL[c.kind]}" ${stroke}/>`,
      );
    else out.push(`<circle cx="${x}" cy="${y}" r="${R}" fill="${FILL[c.kind]}" ${stroke}/>`);
    const [l1, l2, l3] = nodeLines(scheme, tr, cid);
    out.push(
      `<text x="${x}" y="${y - 3}" text-anchor="middle" font-size="11" font-weight="bold">${esc(l1 ?? "")}</text>`,
    );
    out.push(`<text x="${x}" y="${y + 11}" text-anchor="middle" font-size="10">${esc(l2 ?? "")}</text>`);
    if (l3)
      out.push(
        `<text x="${x}" y="${y + R + 13}" text-anchor="middle" font-size="10" fill="#333" paint-order="stroke" stroke="white" stroke-width="3">${esc(l3)}</text>`,
      );
    out.push(`<text x="${x + R + 2}" y="${y - R + 6}" font-size="9" fill="#888">#${cid}</text>`);
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n");
}
