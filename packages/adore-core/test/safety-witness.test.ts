import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Cache, depthOf, isAncestor, safetyWitness, type Tree } from "../src/index.js";

/** Def. 4.1's witness by the definition: every CCache an ancestor of the first deepest one. */
function reference(tr: Tree<unknown>): [number, number] | null {
  let deepest = 0;
  let dmax = -1;
  for (let i = 0; i < tr.caches.length; i++)
    if (tr.caches[i]!.kind === "CCache" && depthOf(tr, i) > dmax) {
      dmax = depthOf(tr, i);
      deepest = i;
    }
  for (let i = 0; i < tr.caches.length; i++)
    if (tr.caches[i]!.kind === "CCache" && !isAncestor(tr, i, deepest))
      return i < deepest ? [i, deepest] : [deepest, i];
  return null;
}

const cache = (kind: "MCache" | "CCache"): Cache<number> =>
  (kind === "CCache"
    ? { kind, caller: 1, time: 1, versn: 1, supporters: 2, conf: 14 }
    : { kind, caller: 1, time: 1, versn: 1, conf: 14, method: "m" }) as Cache<number>;

/** Random trees of any size; a parent may have a larger cid than its child (insertBtw does that). */
const trees = fc
  .array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 300 })
  .map((xs) => {
    const caches: Cache<number>[] = [cache("CCache")];
    const parent: number[] = [-1];
    for (const [p, isC, above] of xs) {
      const i = caches.length;
      caches.push(cache(isC ? "CCache" : "MCache"));
      const target = p % i;
      if (above && target > 0) {
        // insert between target and its parent
        parent.push(parent[target]!);
        parent[target] = i;
      } else parent.push(target);
    }
    return { caches, parent } as Tree<number>;
  });

describe("safetyWitness", () => {
  it("agrees with the definition on small and big trees (the big ones take the linear path)", () => {
    fc.assert(
      fc.property(trees, (tr) => {
        expect(safetyWitness(tr)).toEqual(reference(tr));
      }),
      { numRuns: 300 },
    );
  });
});
