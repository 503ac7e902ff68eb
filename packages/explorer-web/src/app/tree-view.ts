import { type Layout, NODE_R } from "../lib/layout.js";

const NS = "http://www.w3.org/2000/svg";

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Draws a laid-out cache tree like the paper: circles for E/M/R caches, squares for CCaches,
 * `E S1` and `time.versn` inside, supporters (or method, or configuration) below; the step's new
 * cache ringed, the two branches of a safety violation in two colours. A collapsed run of entries
 * is a rounded box; clicking it calls `onRun` with its first cid (a cache: `onCache`).
 */
export function drawTree(
  layout: Layout,
  onRun?: (first: number) => void,
  onCache?: (cid: number) => void,
): SVGSVGElement {
  const svg = el("svg", {
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    class: "tree",
    role: "img",
  });
  for (const e of layout.edges) {
    const line = el("line", { x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, class: "edge" });
    if (e.conflict) line.setAttribute("data-conflict", e.conflict);
    svg.append(line);
  }
  const R = NODE_R;
  for (const n of layout.nodes) {
    const g = el("g", { class: "node", "data-key": n.key, transform: `translate(${n.x},${n.y})` });
    if (n.cid !== undefined) g.setAttribute("data-cid", String(n.cid));
    if (n.kind) g.setAttribute("data-kind", n.kind);
    if (n.added) g.setAttribute("data-added", "true");
    if (n.conflict) g.setAttribute("data-conflict", n.conflict);
    if (n.witness) g.setAttribute("data-witness", "true");
    if (n.fork) g.setAttribute("data-fork", "true");
    g.append(el("title", {}, n.title));
    if (n.added) g.append(el("circle", { r: R + 7, class: "added-ring" }));
    if (n.shape === "square")
      g.append(el("rect", { x: -R, y: -R, width: 2 * R, height: 2 * R, class: "shape" }));
    else if (n.shape === "circle") g.append(el("circle", { r: R, class: "shape" }));
    else {
      g.append(
        el("rect", { x: -R - 14, y: -R, width: 2 * R + 28, height: 2 * R, rx: 10, class: "shape run" }),
      );
      g.setAttribute("data-run", String(n.run));
      g.setAttribute("tabindex", "0");
      if (onRun) {
        g.addEventListener("click", () => onRun(n.run!));
        g.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") onRun(n.run!);
        });
      }
    }
    if (onCache && n.cid !== undefined) {
      const cid = n.cid;
      g.addEventListener("click", () => onCache(cid));
    }
    const [l1, l2] = n.lines;
    g.append(el("text", { y: -3, class: "l1" }, l1 ?? ""));
    g.append(el("text", { y: 11, class: "l2" }, l2 ?? ""));
    if (n.below !== undefined) g.append(el("text", { y: R + 14, class: "below" }, n.below));
    if (n.cid !== undefined) g.append(el("text", { x: R + 3, y: -R + 4, class: "cid" }, `#${n.cid}`));
    svg.append(g);
  }
  return svg;
}
