import { describe, expect, it } from "vitest";
import {
  adoreModel,
  FIG12_CONF0,
  FIG12_PAPER,
  renderDot,
  renderSvg,
  replayFixture,
  safetyWitness,
} from "../src/index.js";
import { majority } from "./helpers.js";

const broken = replayFixture(
  adoreModel(majority, FIG12_CONF0, { r3: false, recency: "raft-log" }),
  FIG12_PAPER,
).final;
const hl = safetyWitness(broken)!;

describe("rendering a cache tree", () => {
  it("DOT: circles for E/M/R caches, boxes for CCaches, red highlights, one edge per non-root cache", () => {
    const dot = renderDot(majority, broken, { highlight: hl, title: "Fig. 12" });
    expect(dot.startsWith("digraph cachetree {")).toBe(true);
    expect(dot.match(/shape=box/g)).toHaveLength(3); // root + two CCaches
    expect(dot.match(/shape=circle/g)).toHaveLength(6);
    expect(dot.match(/ -> /g)).toHaveLength(8);
    expect(dot.match(/color="red"/g)).toHaveLength(2);
  });

  it("SVG: a standalone document laid out as a tree, squares for CCaches, with labels", () => {
    const svg = renderSvg(majority, broken, { highlight: hl, title: "Fig. 12" });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(6);
    expect(svg.match(/<line /g)).toHaveLength(8);
    expect(svg.match(/stroke="#d00"/g)).toHaveLength(2);
    expect(svg).toContain(">R S2<");
    expect(svg).toContain(">{1,2,4}<");
    // children are laid out below their parents
    const y = (cid: number) => Number(new RegExp(`data-cid="${cid}"[^]*?c?y="([\\d.]+)"`).exec(svg)![1]);
    expect(y(5)).toBeGreaterThan(y(4));
    expect(y(4)).toBeGreaterThan(y(3));
  });
});
