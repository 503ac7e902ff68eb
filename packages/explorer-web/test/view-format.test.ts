import { FIG12_PAPER, replicatedStateSafety } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import { fixtureWalk } from "../src/lib/examples.js";
import { adoreViewJson, parseAdoreViewJson, ViewFormatError } from "../src/lib/view-format.js";
import { fig12Model } from "./helpers.js";

function fig12View() {
  const m = fig12Model(false);
  const w = fixtureWalk(m, FIG12_PAPER);
  const state = w.attempts[w.attempts.length - 1]!.after;
  return {
    state,
    scheme: m.entry.scheme,
    steps: 8,
    refused: ["push(S3) to 4: no cache for that entry"],
    safety: replicatedStateSafety(state),
  };
}

describe("the ADORE view's JSON (adore validate --json, adore-view.json)", () => {
  it("round-trips a tree: caches, parents, times, configurations in the scheme's syntax", () => {
    const v = fig12View();
    const text = JSON.stringify(adoreViewJson(v, "Fig. 12"));
    const p = parseAdoreViewJson(text);
    expect(p.state).toEqual(v.state);
    expect(p.json.title).toBe("Fig. 12");
    expect(p.json.refused).toEqual(v.refused);
    expect(p.entry.scheme.name).toBe("raft-single");
    // safety is recomputed from the tree, not taken from the file
    expect(p.safety).toBe(v.safety);
    expect(p.witness).not.toBeNull();
    expect(JSON.parse(text).caches[2]).toEqual({
      kind: "RCache",
      caller: 1,
      time: 1,
      versn: 1,
      conf: "{1,2,3}",
    });
  });

  it("a bad file is a typed error naming the field and the rule", () => {
    const good = adoreViewJson(fig12View());
    const bad = (edit: (j: Record<string, unknown>) => void, field: string, why: RegExp) => {
      const j = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      edit(j);
      let err: unknown;
      try {
        parseAdoreViewJson(JSON.stringify(j));
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(ViewFormatError);
      expect((err as ViewFormatError).field).toBe(field);
      expect((err as Error).message).toMatch(why);
    };
    const cache = (j: Record<string, unknown>, i: number) => (j.caches as Record<string, unknown>[])[i]!;
    bad((j) => (j.format = "svg"), "format", /not an ADORE view/);
    bad((j) => (j.version = 2), "version", /not 1/);
    bad((j) => (j.scheme = "paxos"), "scheme", /unknown scheme "paxos"/);
    bad((j) => (cache(j, 2).conf = "{1,2,"), "caches[2].conf", /expected a set/);
    bad((j) => (cache(j, 1).kind = "XCache"), "caches[1].kind", /not one of ECache/);
    bad((j) => (cache(j, 1).caller = 9), "caches[1].caller", /1\.\.4/);
    bad((j) => delete cache(j, 1).supporters, "caches[1].supporters", /expected an array/);
    bad((j) => (j.parent = [-1, 2, 1, 0, 0, 0, 0, 0, 0]), "parent[1]", /does not lead to the root/);
    bad((j) => (j.parent = [-1]), "parent", /1 parents for 9 caches/);
    bad((j) => (j.times = []), "times", /1\.\.30 nodes/);
    bad((j) => (j.steps = -1), "steps", /integer/);
    expect(() => parseAdoreViewJson("{")).toThrow(/\(file\): not JSON/);
  });
});
