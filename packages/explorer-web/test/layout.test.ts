import { type AdoreState, FIG12_PAPER, initialState, nodeSet } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { fixtureWalk } from "../src/lib/examples.js";
import { displayTree, layoutTree, NODE_DX, NODE_DY } from "../src/lib/layout.js";
import { frameAt } from "../src/lib/trace.js";
import { fig12Model } from "./helpers.js";

/** A recorded-run-like tree: the root, one election, a log of `n` entries each committed, a reconfiguration, more entries. */
function longLog(n: number): AdoreState<number> {
  const m = fig12Model(true, { methods: 100, reconfigs: 10 });
  let st = initialState(nodeSet([1, 2, 3, 4]), 4) as AdoreState<unknown>;
  const go = (a: Parameters<typeof m.spec.step>[1]) => {
    const r = m.spec.step(st, a);
    if (!r.ok) throw new Error(JSON.stringify(r.reason));
    st = r.next;
  };
  go({ op: "pull", nid: 1, Q: nodeSet([1, 2, 3]), t: 1 });
  for (let i = 0; i < n; i++) {
    go({ op: "invoke", nid: 1, method: `put k${i}` });
    go({ op: "push", nid: 1, Q: nodeSet([1, 2, 3]), cm: st.caches.length - 1 });
  }
  go({ op: "reconfig", nid: 1, ncf: nodeSet([1, 2, 3]) });
  go({ op: "push", nid: 1, Q: nodeSet([1, 2]), cm: st.caches.length - 1 });
  for (let i = 0; i < 3; i++) {
    go({ op: "invoke", nid: 1, method: `put j${i}` });
    go({ op: "push", nid: 1, Q: nodeSet([1, 2]), cm: st.caches.length - 1 });
  }
  return st as AdoreState<number>;
}

describe("cache-tree layout", () => {
  it("Fig. 12's last step: circles for E/M/R, squares for CCaches, labels like the paper, no two nodes overlap", () => {
    const m = fig12Model(false);
    const fr = frameAt(m, fixtureWalk(m, FIG12_PAPER), 8);
    const lay = layoutTree(m.entry.scheme, fr.state, displayTree(fr.state), {
      ...(fr.added !== undefined ? { added: fr.added } : {}),
      ...(fr.conflict ? { conflict: fr.conflict } : {}),
    });
    expect(lay.nodes).toHaveLength(fr.state.caches.length);
    expect(lay.edges).toHaveLength(fr.state.caches.length - 1);
    for (const n of lay.nodes) expect(n.shape).toBe(n.kind === "CCache" ? "square" : "circle");
    const root = lay.nodes.find((n) => n.cid === 0)!;
    expect(root.lines).toEqual(["root", "0.0"]);
    expect(root.below).toBe("{1,2,3,4}");
    const e1 = lay.nodes.find((n) => n.cid === 1)!;
    expect(e1.lines).toEqual(["E S1", "1.0"]);
    expect(e1.below).toBe("{1,2,3}");
    // children are below their parent; distinct nodes are at least a node's width apart
    for (const e of lay.edges) expect(e.y2 - e.y1).toBe(NODE_DY);
    for (const a of lay.nodes)
      for (const b of lay.nodes)
        if (a !== b)
          expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(Math.min(NODE_DX, NODE_DY) * 0.99);
    for (const n of lay.nodes) {
      expect(n.x).toBeGreaterThan(0);
      expect(n.x).toBeLessThan(lay.width);
      expect(n.y).toBeLessThan(lay.height);
    }
    // marks: the added CCache, the two branches (nodes and the edges into them), the witnesses and the fork
    expect(lay.nodes.filter((n) => n.added).map((n) => n.cid)).toEqual([fr.added]);
    const c = fr.conflict!;
    expect(lay.nodes.filter((n) => n.conflict === "a").map((n) => n.cid)).toEqual([...c.branchA]);
    expect(lay.nodes.filter((n) => n.conflict === "b").map((n) => n.cid)).toEqual([...c.branchB]);
    expect(lay.edges.filter((e) => e.conflict).length).toBe(c.branchA.length + c.branchB.length);
    expect(
      lay.nodes
        .filter((n) => n.witness)
        .map((n) => n.cid)
        .sort(),
    ).toEqual([c.a, c.b].sort());
    expect(lay.nodes.find((n) => n.fork)?.cid).toBe(0);
  });

  it("a recorded run's long log: runs of entries collapse into one node each, and expand on demand", () => {
    const st = longLog(20);
    const scheme = getScheme("raft-single").scheme;
    const d = displayTree(st, { collapseRuns: 3 });
    const lay = layoutTree(scheme, st, d);
    const runs = lay.nodes.filter((n) => n.shape === "run");
    expect(runs).toHaveLength(2);
    // the first run: every entry and commit of the log before the reconfiguration but the last commit (a leaf
    // keeps the RCache's parent visible); the second: the entries after the RCache's commit up to the leaf
    expect(runs[0]!.lines).toEqual(["20 entries", "20 commits"]);
    expect(runs[0]!.run).toBe(2);
    expect(runs[1]!.lines[0]).toMatch(/^\d+ entries$/);
    expect(lay.nodes.filter((n) => n.kind === "RCache")).toHaveLength(1);
    expect(lay.nodes.length).toBeLessThan(12);
    // expanding the first run draws its caches again; the other stays collapsed
    const open = layoutTree(scheme, st, displayTree(st, { collapseRuns: 3, expanded: new Set([2]) }));
    expect(open.nodes.filter((n) => n.shape === "run")).toHaveLength(1);
    expect(open.nodes.length).toBe(lay.nodes.length - 1 + 40);
    // without collapsing, every cache is drawn
    expect(layoutTree(scheme, st, displayTree(st)).nodes).toHaveLength(st.caches.length);
  });
});
