import { range } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import { raftSingle, SchemeModuleError, userSchemeFromModule } from "../src/index.js";

describe("userSchemeFromModule", () => {
  it("takes `scheme` or a default export, with the module's parse and initial", () => {
    const parse = (t: string) => (t === "all" ? range(3) : raftSingle.validConfigs(range(3))[0]!);
    const a = userSchemeFromModule({ scheme: raftSingle, parse }, range(3));
    expect(a.scheme).toBe(raftSingle);
    expect(a.parse("all")).toBe(range(3));
    expect(userSchemeFromModule({ default: raftSingle }, range(3)).initial(3)).toBe(range(3));
  });

  it("refuses a module without a usable scheme, naming what is missing", () => {
    const why = (mod: Record<string, unknown>) => {
      try {
        userSchemeFromModule(mod, range(3));
      } catch (e) {
        expect(e).toBeInstanceOf(SchemeModuleError);
        return (e as SchemeModuleError).why;
      }
      return "accepted";
    };
    expect(why({})).toMatch(/exports no `scheme` object/);
    expect(why({ scheme: { mbrs: () => 0 } })).toMatch(/no `name` string/);
    expect(why({ scheme: { ...raftSingle, isQuorum: 1, hash: undefined } })).toBe(
      "the scheme raft-single lacks the function(s) isQuorum, hash (see Scheme in @adore/adore-core)",
    );
    expect(why({ scheme: { ...raftSingle, rename: "swap" } })).toMatch(
      /rename of raft-single is not a function/,
    );
  });
});
