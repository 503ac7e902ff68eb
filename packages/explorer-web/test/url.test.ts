import { describe, expect, it } from "vitest";
import { FIG12_CONFIG } from "../src/lib/model.js";
import { DEFAULT_STATE, decodeState, encodeState, type PageState, UrlStateError } from "../src/lib/url.js";

const UNANIMOUS = `// unanimous.mjs — every member must vote ✓
export const scheme = { name: "unanimous" };`;

describe("the page state in the URL", () => {
  it("round-trips every field: model, bounds, rules, trace, position, run and expanded runs", () => {
    const s: PageState = {
      view: "run",
      config: {
        scheme: "user",
        userSource: UNANIMOUS,
        nodes: 5,
        conf0: "({1,2,3},{3,4,5})",
        depth: 12,
        maxTime: 4,
        methods: 2,
        reconfigs: 3,
        nonQuorum: true,
        symmetry: false,
        invariant: "all",
        rules: { r1plus: false, r2: true, r3: false, qok: false, strictTime: false, recency: "adore" },
      },
      trace: ["pull(S1, Q={1,2,3}, t=1)", "reconfig(S1, ({1,2,3},{3,4,5}))", "invoke(S1, put a;b 1)"],
      at: 2,
      run: "./run/adore-view.json",
      expanded: [3, 17],
    };
    const frag = encodeState(s);
    expect(decodeState(frag)).toEqual(s);
    expect(decodeState(`#${frag}`)).toEqual(s);
  });

  it("an empty fragment is the Fig. 12 model with no trace", () => {
    expect(decodeState("")).toEqual(DEFAULT_STATE);
    expect(DEFAULT_STATE.config).toBe(FIG12_CONFIG);
  });

  it("a bad parameter is a typed error naming it", () => {
    const bad = (frag: string, param: string, why: RegExp) => {
      let err: unknown;
      try {
        decodeState(frag);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UrlStateError);
      expect((err as UrlStateError).param).toBe(param);
      expect((err as Error).message).toMatch(why);
    };
    bad("nodes=four", "nodes", /not a non-negative integer/);
    bad("r3=yes", "r3", /not 0 or 1/);
    bad("recency=tla", "recency", /adore, raft-log/);
    bad("view=graph", "view", /model, run/);
    bad("trace=invoke(S1,m1)&at=3", "at", /past the trace's 1 steps/);
    bad("open=1,x", "open", /not a cache id/);
    bad("scheme=user&src=***", "src", /base64url/);
  });
});
