import {
  MAX_NODE_ID,
  members,
  type NodeSet,
  renameSet,
  type Scheme,
  showSet,
  subsets,
} from "@adore/adore-core";
import { checkUniverse, guard } from "./overlap.js";

/**
 * Laws a scheme must obey for the tools to be sound, beyond Fig. 7: validConfigs stays in the
 * universe, equals/hash/print identify configurations, and `rename` (used by the explorer's
 * symmetry reduction) commutes with mbrs, isQuorum and R1⁺.
 */
export type SchemeLaw = "validConfigs" | "mbrs" | "equals/hash" | "print" | "rename";

export interface LawViolation {
  readonly law: SchemeLaw;
  readonly message: string;
}

export interface LawReport {
  readonly scheme: string;
  readonly configs: number;
  /** Renamings tried (the transpositions of the universe's nodes); 0 without `rename`. */
  readonly renamings: number;
  /** At most one violation per law is kept, with the number found. */
  readonly violations: readonly (LawViolation & { readonly count: number })[];
  readonly elapsedMs: number;
}

/** Pairs sampled to check that rename preserves R1⁺ being false (all related pairs are checked). */
const UNRELATED_SAMPLE = 20_000;

/** Checks the laws over validConfigs(universe); see SchemeLaw. */
export function checkSchemeLaws<C>(scheme: Scheme<C>, universe: NodeSet): LawReport {
  const t0 = performance.now();
  checkUniverse(universe);
  const S = scheme.name;
  const found = new Map<SchemeLaw, LawViolation & { count: number }>();
  const fail = (law: SchemeLaw, message: string) => {
    const v = found.get(law);
    if (v) v.count++;
    else found.set(law, { law, message, count: 1 });
  };
  const print = (c: C) =>
    guard(
      S,
      "print",
      () => "…",
      () => scheme.print(c),
    );
  const hash = (c: C) =>
    guard(
      S,
      "hash",
      () => print(c),
      () => scheme.hash(c),
    );
  const equals = (a: C, b: C) =>
    guard(
      S,
      "equals",
      () => `${print(a)}, ${print(b)}`,
      () => scheme.equals(a, b),
    );
  const mbrs = (c: C) =>
    guard(
      S,
      "mbrs",
      () => print(c),
      () => scheme.mbrs(c),
    );
  const isQuorum = (q: NodeSet, c: C) =>
    guard(
      S,
      "isQuorum",
      () => `${showSet(q)}, ${print(c)}`,
      () => scheme.isQuorum(q, c),
    );
  const R1 = (a: C, b: C) =>
    guard(
      S,
      "R1plus",
      () => `${print(a)}, ${print(b)}`,
      () => scheme.R1plus(a, b),
    );

  const configs = guard(
    S,
    "validConfigs",
    () => showSet(universe),
    () => scheme.validConfigs(universe),
  );
  if (configs.length === 0) fail("validConfigs", `validConfigs(${showSet(universe)}) is empty`);

  const byHash = new Map<string, number>();
  const byPrint = new Map<string, number>();
  configs.forEach((cf, i) => {
    const m = mbrs(cf);
    if (!Number.isInteger(m) || (m & ~universe) !== 0)
      fail("mbrs", `mbrs(${print(cf)}) = ${showSet(m)} is not within the universe ${showSet(universe)}`);
    if (!equals(cf, cf)) fail("equals/hash", `equals(${print(cf)}, ${print(cf)}) is false`);
    const h = hash(cf);
    const j = byHash.get(h);
    if (j !== undefined) {
      const other = configs[j]!;
      fail(
        "equals/hash",
        equals(other, cf)
          ? `validConfigs lists ${print(cf)} twice`
          : `${print(other)} and ${print(cf)} are not equal but both hash to ${JSON.stringify(h)}`,
      );
    } else byHash.set(h, i);
    const p = print(cf);
    const k = byPrint.get(p);
    if (k !== undefined && !equals(configs[k]!, cf))
      fail("print", `two different configurations print as ${p}`);
    else byPrint.set(p, i);
    const prev = configs[i - 1];
    if (prev !== undefined && hash(prev) !== h && equals(prev, cf))
      fail("equals/hash", `${print(prev)} and ${print(cf)} are equal but hash differently`);
  });

  let renamings = 0;
  const rename = scheme.rename?.bind(scheme);
  if (rename) {
    const ids = members(universe);
    const perms: number[][] = [];
    for (let x = 0; x < ids.length; x++)
      for (let y = x + 1; y < ids.length; y++) {
        const perm = Array.from({ length: MAX_NODE_ID + 1 }, (_, i) => i);
        perm[ids[x]!] = ids[y]!;
        perm[ids[y]!] = ids[x]!;
        perms.push(perm);
      }
    renamings = perms.length;
    const qs = subsets(universe);
    // the related pairs, and a sample of unrelated ones
    const related: [number, number][] = [];
    const unrelated: [number, number][] = [];
    const stride = Math.max(1, Math.floor((configs.length * configs.length) / UNRELATED_SAMPLE));
    for (let i = 0; i < configs.length; i++)
      for (let j = 0; j < configs.length; j++) {
        if (R1(configs[i]!, configs[j]!)) related.push([i, j]);
        else if ((i * configs.length + j) % stride === 0) unrelated.push([i, j]);
      }
    for (const perm of perms) {
      const swap = `(${describePerm(perm)})`;
      const renamed = configs.map((cf) =>
        guard(
          S,
          "rename",
          () => `${print(cf)}, ${swap}`,
          () => rename(cf, perm),
        ),
      );
      configs.forEach((cf, i) => {
        const r = renamed[i]!;
        if (!byHash.has(hash(r)))
          fail("rename", `rename(${print(cf)}, ${swap}) = ${print(r)} is not among validConfigs`);
        if (mbrs(r) !== renameSet(mbrs(cf), perm))
          fail("rename", `mbrs(rename(${print(cf)}, ${swap})) ≠ rename(mbrs(${print(cf)}))`);
        const back = guard(
          S,
          "rename",
          () => `${print(r)}, ${swap}`,
          () => rename(r, perm),
        );
        if (!equals(back, cf)) fail("rename", `renaming ${print(cf)} by ${swap} twice does not give it back`);
        for (const q of qs)
          if (isQuorum(renameSet(q, perm), r) !== isQuorum(q, cf)) {
            fail(
              "rename",
              `isQuorum(${showSet(q)}, ${print(cf)}) ≠ isQuorum(${showSet(renameSet(q, perm))}, ${print(r)}) after renaming ${swap}`,
            );
            break;
          }
      });
      for (const [i, j] of related)
        if (!R1(renamed[i]!, renamed[j]!))
          fail(
            "rename",
            `R1⁺(${print(configs[i]!)}, ${print(configs[j]!)}) holds but not after renaming ${swap}: R1⁺(${print(renamed[i]!)}, ${print(renamed[j]!)})`,
          );
      for (const [i, j] of unrelated)
        if (R1(renamed[i]!, renamed[j]!))
          fail(
            "rename",
            `R1⁺(${print(configs[i]!)}, ${print(configs[j]!)}) is false but holds after renaming ${swap}`,
          );
    }
  }
  return {
    scheme: scheme.name,
    configs: configs.length,
    renamings,
    violations: [...found.values()],
    elapsedMs: performance.now() - t0,
  };
}

function describePerm(perm: readonly number[]): string {
  const moved: number[] = [];
  for (let i = 1; i < perm.length; i++) if (perm[i] !== i) moved.push(i);
  return moved.length === 2 ? `${moved[0]} ↔ ${moved[1]}` : moved.map((i) => `${i}→${perm[i]}`).join(" ");
}
