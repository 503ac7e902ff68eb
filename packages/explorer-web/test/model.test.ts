import { readFileSync } from "node:fs";
import { explore } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import {
  buildModel,
  FIG12_CONFIG,
  type ModelConfig,
  ModelConfigError,
  USER_SCHEME,
} from "../src/lib/model.js";

/** The user-defined scheme of the schemes README, as a module's exports. */
async function readmeScheme(): Promise<Record<string, unknown>> {
  const readme = readFileSync(new URL("../../schemes/README.md", import.meta.url), "utf8");
  const src = /<!-- example: unanimous\.mjs -->\n```js\n([\s\S]*?)```/.exec(readme)![1]!;
  return (await import(`data:text/javascript,${encodeURIComponent(src)}`)) as Record<string, unknown>;
}

describe("the page's model", () => {
  it("a bad field is a typed error naming it, checked before anything runs", () => {
    const bad = (over: Partial<ModelConfig>, field: string, why: RegExp) => {
      let err: unknown;
      try {
        buildModel({ ...FIG12_CONFIG, ...over });
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(ModelConfigError);
      expect((err as ModelConfigError).field).toBe(field);
      expect((err as Error).message).toMatch(why);
    };
    bad({ nodes: 9 }, "nodes", /1\.\.8/);
    bad({ depth: Number.NaN }, "depth", /not an integer/);
    bad({ methods: 1.5 }, "methods", /0\.\.100/);
    bad({ scheme: "paxos" }, "scheme", /unknown scheme "paxos"; valid: raft-single, .*user/);
    bad({ conf0: "{1,2,5}" }, "conf0", /names \{5\}, not among the nodes 1\.\.4/);
    bad({ conf0: "{1,2" }, "conf0", /not a raft-single configuration/);
    bad({ invariant: "Liveness" }, "invariant", /unknown invariant "Liveness"/);
    bad({ scheme: USER_SCHEME }, "userSource", /paste a scheme module/);
  });

  it("the user-defined scheme of the schemes README, pasted: checked and explored", async () => {
    const mod = await readmeScheme();
    const config: ModelConfig = {
      ...FIG12_CONFIG,
      scheme: USER_SCHEME,
      userSource: "(the README's module)",
      nodes: 3,
      depth: 6,
      maxTime: 2,
      methods: 1,
      reconfigs: 1,
      invariant: "all",
      rules: { ...FIG12_CONFIG.rules, r3: true, recency: "adore" },
    };
    const m = buildModel(config, mod);
    expect(m.entry.scheme.name).toBe("unanimous");
    expect(m.entry.scheme.print(m.conf0 as never)).toBe("{1,2,3}");
    const res = explore(m.spec, m.explore);
    expect(res.violation).toBeUndefined();
    expect(res.status).toBe("depth-bound");
    // a module without the scheme's functions is refused with the missing ones named
    expect(() => buildModel(config, { scheme: { name: "half", mbrs: () => 0 } })).toThrow(
      /userSource: the scheme half lacks the function\(s\) isQuorum, R1plus, equals, hash, print, validConfigs/,
    );
    expect(() => buildModel(config, {})).toThrow(/exports no `scheme` object/);
  });
});
