import { type Cache, compareCaches, KIND_RANK } from "./cache.js";
import { checkBoolean, checkInteger, checkWithin, ExploreOptionError } from "./bounds.js";
import type { Invariant } from "./invariants.js";
import { adoreInvariants } from "./invariants.js";
import { MAX_NODE_ID, type NodeSet, range, renameSet, subsets } from "./nodeset.js";
import { type AdoreModel, type AdoreStep, canCommit, showStep, step } from "./semantics.js";
import type { KeySink, Spec } from "./spec.js";
import { type AdoreState, activeCache, initialState, isLeader, mostRecent, R2, R3 } from "./tree.js";

/** Bounds that make ADORE's choices finite for exhaustive search (design §3: pull's time choice). */
export interface AdoreBounds<C> {
  /** Number of nodes: ids 1..nodes. */
  readonly nodes: number;
  /** pull chooses t from 1 + max(times[Q]) up to maxTime. */
  readonly maxTime: number;
  /** At most this many MCaches in a tree. */
  readonly maxMethods: number;
  /** At most this many RCaches in a tree. */
  readonly maxReconfigs: number;
  /** Candidate configurations for reconfig (default: scheme.validConfigs over the nodes). */
  readonly configs?: readonly C[];
  /** Also enumerate pulls/pushes with a non-quorum Q, which change only times (default true). */
  readonly nonQuorum?: boolean;
  /** Also enumerate the explicit NOOP (oracle Fail) steps; they are self-loops (default false). */
  readonly failSteps?: boolean;
}

export type AdoreSpec<C> = Spec<AdoreState<C>, AdoreStep<C>, AdoreBounds<C>> & {
  readonly model: AdoreModel<C>;
};

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

function permutationsOf(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: number[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutationsOf([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** ADORE (Figs. 6–11) as a Spec for the generic explorer, random walker and fast-check arbitraries. */
export function adoreSpec<C>(model: AdoreModel<C>): AdoreSpec<C> {
  const { scheme, options } = model;

  // Configurations and methods get small integer ids for encodings (a hash is computed once per distinct value).
  const idOfHash = new Map<string, number>();
  const confById: C[] = [];
  const confIds = new Map<number | string, Map<C, number>>();
  const confId = (c: C, perm: readonly number[] | undefined, permKey: number | string): number => {
    let memo = confIds.get(permKey);
    if (memo === undefined) confIds.set(permKey, (memo = new Map()));
    let id = memo.get(c);
    if (id === undefined) {
      const renamed = perm ? scheme.rename!(c, perm) : c;
      const h = scheme.hash(renamed);
      id = idOfHash.get(h);
      if (id === undefined) {
        id = idOfHash.size;
        idOfHash.set(h, id);
        confById.push(renamed);
      }
      memo.set(c, id);
    }
    return id;
  };
  const methodIds = new Map<string, number>();
  const methodById: string[] = [];
  const methodId = (m: string): number => {
    let id = methodIds.get(m);
    if (id === undefined) {
      methodIds.set(m, (id = methodIds.size));
      methodById.push(m);
    }
    return id;
  };

  let order = new Int32Array(64);
  let rank = new Int32Array(64);
  /**
   * Canonical encoding: caches are renumbered in the (total) cache order, so two states that
   * differ only in the order their caches were created encode alike. The semantics depend on
   * cids only through that same order, so the renumbered state behaves identically.
   */
  const encode = (st: AdoreState<C>, sink: KeySink, perm?: readonly number[]): void => {
    const n = st.caches.length;
    if (order.length < n) {
      order = new Int32Array(n * 2);
      rank = new Int32Array(n * 2);
    }
    const cs = st.caches;
    const caller = (x: number) => (perm && x !== 0 ? perm[x]! : x);
    // a key for the renaming (0: identity), numeric while it fits in 53 bits
    let permKey: number | string = 0;
    if (perm) {
      let identity = true;
      let code = 0;
      for (let i = 1; i < perm.length; i++) {
        if (perm[i] !== i) identity = false;
        code = code * 32 + perm[i]!;
      }
      if (!identity) permKey = perm.length <= 11 ? code : perm.join(",");
    }
    // insertion sort: trees are small
    for (let i = 0; i < n; i++) {
      let j = i;
      const c = cs[i]!;
      while (j > 0) {
        const o = order[j - 1]!;
        const d = cs[o]!;
        const cmp = perm
          ? c.time - d.time ||
            c.versn - d.versn ||
            KIND_RANK[c.kind] - KIND_RANK[d.kind] ||
            caller(c.caller) - caller(d.caller) ||
            i - o
          : compareCaches(c, i, d, o);
        if (cmp >= 0) break;
        order[j] = o;
        j--;
      }
      order[j] = i;
    }
    for (let i = 0; i < n; i++) rank[order[i]!] = i;
    const nodes = st.times.length - 1;
    sink.add(nodes);
    if (perm) {
      for (let i = 1; i <= nodes; i++) {
        // times of the renamed state: times'[perm[i]] = times[i]
        let src = 1;
        while (perm[src] !== i) src++;
        sink.add(st.times[src]!);
      }
    } else for (let i = 1; i <= nodes; i++) sink.add(st.times[i]!);
    sink.add(n);
    for (let i = 0; i < n; i++) {
      const cid = order[i]!;
      const c = cs[cid]!;
      const p = st.parent[cid]!;
      const cf = confId(c.conf, permKey !== 0 ? perm : undefined, permKey);
      if (n > 500 || c.versn > 0xffff || c.time > 0xffff || cf > 0xffff)
        throw new RangeError(
          `ADORE encoding: state too large (caches ${n}, time ${c.time}, versn ${c.versn}, configs ${cf})`,
        );
      // packed: kind (2 bits) | caller (5) | parent rank + 1 (9) | versn (16); time (16) | config id (16)
      sink.add(
        KIND_RANK[c.kind] | (caller(c.caller) << 2) | ((p < 0 ? 0 : rank[p]! + 1) << 7) | (c.versn << 16),
      );
      sink.add(c.time | (cf << 16));
      if (c.kind === "ECache" || c.kind === "CCache")
        sink.add(perm ? renameSet(c.supporters, perm) : c.supporters);
      else if (c.kind === "MCache") sink.add(methodId(c.method));
    }
  };

  /** The inverse of encode: the renumbered (and renamed) state, which behaves like the encoded one. */
  const decode = (w: Int32Array, start: number, _end: number): AdoreState<C> => {
    let i = start;
    const nodes = w[i++]!;
    const times = new Array<number>(nodes + 1);
    times[0] = 0;
    for (let k = 1; k <= nodes; k++) times[k] = w[i++]!;
    const n = w[i++]!;
    const caches = new Array<Cache<C>>(n);
    const parent = new Array<number>(n);
    for (let cid = 0; cid < n; cid++) {
      const a = w[i++]!;
      const b = w[i++]!;
      const kind = a & 3;
      const caller = (a >>> 2) & 31;
      parent[cid] = ((a >>> 7) & 511) - 1;
      const versn = a >>> 16;
      const time = b & 0xffff;
      const conf = confById[b >>> 16]!;
      switch (kind) {
        case 0:
          caches[cid] = { kind: "ECache", caller, time, versn, supporters: w[i++]!, conf };
          break;
        case 1:
          caches[cid] = { kind: "MCache", caller, time, versn, method: methodById[w[i++]!]!, conf };
          break;
        case 2:
          caches[cid] = { kind: "RCache", caller, time, versn, conf };
          break;
        default:
          caches[cid] = { kind: "CCache", caller, time, versn, supporters: w[i++]!, conf };
      }
    }
    return { caches, parent, times };
  };

  /**
   * Symmetry reduction: nodes are sorted by a renaming-invariant signature — their time, then, for
   * each group of caches equal in (time, versn, kind), which of them they called, supported, or are
   * a member of the configuration of (combined without regard to order within the group). The
   * candidates are every order of the nodes consistent with that sort (all orders within runs of
   * equal signatures, up to 720 candidates; beyond that one order, which is sound but reduces less).
   */
  let sigOrd = new Int32Array(64);
  const sig = new Int32Array(MAX_NODE_ID + 1);
  const acc = new Int32Array(MAX_NODE_ID + 1);
  const mixCode = (h: number, code: number) => {
    const x = Math.imul(h ^ code, 0x85ebca6b);
    return x ^ (x >>> 13);
  };
  const ids: number[] = [];
  const single: number[] = [];
  const singleList: readonly (readonly number[])[] = [single];
  const canonicalPerms = scheme.rename
    ? (st: AdoreState<C>): readonly (readonly number[])[] => {
        const nodes = st.times.length - 1;
        const n = st.caches.length;
        const cs = st.caches;
        ids.length = nodes;
        if (sigOrd.length < n) sigOrd = new Int32Array(n * 2);
        for (let i = 0; i < n; i++) {
          const c = cs[i]!;
          let j = i;
          while (j > 0) {
            const d = cs[sigOrd[j - 1]!]!;
            if ((c.time - d.time || c.versn - d.versn || KIND_RANK[c.kind] - KIND_RANK[d.kind]) >= 0) break;
            sigOrd[j] = sigOrd[j - 1]!;
            j--;
          }
          sigOrd[j] = i;
        }
        for (let i = 1; i <= nodes; i++) sig[i] = Math.imul(st.times[i]! + 1, 0x9e3779b1);
        for (let k = 0; k < n; ) {
          // one group of caches equal in (time, versn, kind)
          const c0 = cs[sigOrd[k]!]!;
          let e = k + 1;
          while (e < n) {
            const d = cs[sigOrd[e]!]!;
            if (d.time !== c0.time || d.versn !== c0.versn || d.kind !== c0.kind) break;
            e++;
          }
          acc.fill(0);
          for (let g = k; g < e; g++) {
            const c = cs[sigOrd[g]!]!;
            const mb = scheme.mbrs(c.conf);
            const sup = c.kind === "ECache" || c.kind === "CCache" ? c.supporters : 0;
            for (let i = 1; i <= nodes; i++) {
              const bit = 1 << i;
              const code = (c.caller === i ? 4 : 0) | (sup & bit ? 2 : 0) | (mb & bit ? 1 : 0);
              acc[i] = (acc[i]! + mixCode(0x2545f491, code)) | 0;
            }
          }
          for (let i = 1; i <= nodes; i++) sig[i] = mixCode(sig[i]!, acc[i]!);
          k = e;
        }
        // ids sorted by signature (ties by id), then runs of equal signatures
        let ties = false;
        for (let i = 1; i <= nodes; i++) {
          let j = i - 1;
          while (j > 0 && sig[ids[j - 1]!]! > sig[i]!) {
            ids[j] = ids[j - 1]!;
            j--;
          }
          ids[j] = i;
        }
        for (let k = 1; k < nodes && !ties; k++) if (sig[ids[k]!] === sig[ids[k - 1]!]) ties = true;
        if (!ties) {
          // the common case: one candidate (the returned arrays are reused by the next call)
          single[0] = 0;
          for (let k = 0; k < nodes; k++) single[ids[k]!] = k + 1;
          single.length = nodes + 1;
          return singleList;
        }
        let orders: number[][] = [[]];
        for (let k = 0; k < nodes; ) {
          let e = k + 1;
          while (e < nodes && sig[ids[e]!] === sig[ids[k]!]) e++;
          const run = ids.slice(k, e);
          const runPerms =
            run.length === 1 || orders.length * factorial(run.length) > 720 ? [run] : permutationsOf(run);
          const next: number[][] = [];
          for (const o of orders) for (const r of runPerms) next.push([...o, ...r]);
          orders = next;
          k = e;
        }
        return orders.map((order) => {
          const perm = new Array<number>(nodes + 1);
          perm[0] = 0;
          for (let k = 0; k < nodes; k++) perm[order[k]!] = k + 1;
          return perm;
        });
      }
    : undefined;

  const qsByNodes = new Map<number, NodeSet[]>();
  const configsFor = new Map<number, readonly C[]>();

  function enabled(st: AdoreState<C>, b: AdoreBounds<C>): AdoreStep<C>[] {
    const out: AdoreStep<C>[] = [];
    const n = st.times.length - 1;
    let qs = qsByNodes.get(n);
    if (qs === undefined) {
      qs = subsets(range(n)).filter((q) => q !== 0);
      qsByNodes.set(n, qs);
    }
    const nonQuorum = b.nonQuorum ?? true;
    let methods = 0;
    let rcaches = 0;
    for (const c of st.caches) {
      if (c.kind === "MCache") methods++;
      else if (c.kind === "RCache") rcaches++;
    }
    // mostRecent and the max time per Q do not depend on the caller
    const cmaxOf = new Int32Array(qs.length);
    for (let i = 0; i < qs.length; i++) cmaxOf[i] = mostRecent(st, qs[i]!, options.recency);
    for (let nid = 1; nid <= n; nid++) {
      if (b.failSteps) out.push({ op: "fail", nid, of: "pull" });
      // pull: every Q ∋ nid within mbrs(conf(mostRecent)), every t in (max times[Q], maxTime]
      for (let i = 0; i < qs.length; i++) {
        const q = qs[i]!;
        if (!(q & (1 << nid))) continue;
        const conf = st.caches[cmaxOf[i]!]!.conf;
        if ((q & ~scheme.mbrs(conf)) !== 0) continue;
        if (!nonQuorum && options.qok && !scheme.isQuorum(q, conf)) continue;
        let tmax = 0;
        for (let s = 1; s <= n; s++) if (q & (1 << s) && st.times[s]! > tmax) tmax = st.times[s]!;
        for (let t = Math.max(1, options.strictTime ? tmax + 1 : tmax); t <= b.maxTime; t++)
          out.push({ op: "pull", nid, Q: q, t });
      }
      const ca = activeCache(st, nid);
      if (ca === undefined) continue;
      const active = st.caches[ca]!;
      if (isLeader(st, nid, active.time)) {
        if (methods < b.maxMethods) out.push({ op: "invoke", nid, method: `m${methods + 1}` });
        if (rcaches < b.maxReconfigs && (!options.r2 || R2(st, ca)) && (!options.r3 || R3(st, ca))) {
          let cfgs = b.configs ?? configsFor.get(n);
          if (cfgs === undefined) {
            cfgs = scheme.validConfigs(range(n));
            configsFor.set(n, cfgs);
          }
          for (const ncf of cfgs)
            if (!options.r1plus || scheme.R1plus(active.conf, ncf)) out.push({ op: "reconfig", nid, ncf });
        }
      }
      // push: every committable C_M of nid, every Q ∋ nid within mbrs(conf(C_M)) whose times ≤ time(C_M)
      for (let cm = 1; cm < st.caches.length; cm++) {
        const c = st.caches[cm]!;
        if (c.caller !== nid || (c.kind !== "MCache" && c.kind !== "RCache") || !canCommit(st, cm, nid))
          continue;
        const mb = scheme.mbrs(c.conf);
        for (const q of qs) {
          if (!(q & (1 << nid)) || (q & ~mb) !== 0) continue;
          let fresh = true;
          for (let s = 1; s <= n && fresh; s++) if (q & (1 << s) && st.times[s]! > c.time) fresh = false;
          if (!fresh) continue;
          if (!nonQuorum && options.qok && !scheme.isQuorum(q, c.conf)) continue;
          out.push({ op: "push", nid, Q: q, cm });
        }
      }
    }
    return out;
  }

  /** AdoreBounds as a whole, and the model's conf0 against them (see ExploreOptionError). */
  function checkBounds(b: AdoreBounds<C>): void {
    const nodes = checkInteger("bounds.nodes", b.nodes, 1, MAX_NODE_ID);
    checkInteger("bounds.maxTime", b.maxTime, 0, 0xffff);
    checkInteger("bounds.maxMethods", b.maxMethods, 0, 0xffff);
    checkInteger("bounds.maxReconfigs", b.maxReconfigs, 0, 0xffff);
    checkBoolean("bounds.nonQuorum", b.nonQuorum);
    checkBoolean("bounds.failSteps", b.failSteps);
    const all = range(nodes);
    checkWithin("conf0", scheme.print(model.conf0), scheme.mbrs(model.conf0), all, `bounds.nodes = ${nodes}`);
    if (b.configs !== undefined) {
      if (!Array.isArray(b.configs))
        throw new ExploreOptionError("bounds.configs", "expected a list of configurations");
      b.configs.forEach((c, i) => {
        checkWithin(`bounds.configs[${i}]`, scheme.print(c), scheme.mbrs(c), all, `bounds.nodes = ${nodes}`);
      });
    }
  }

  const invariants: Invariant<AdoreState<C>>[] = adoreInvariants(scheme);
  return {
    name: `ADORE[${scheme.name}]`,
    model,
    checkBounds,
    init: (b) => initialState(model.conf0, b.nodes),
    enabled,
    step: (s, a) => step(model, s, a),
    encode,
    decode,
    ...(canonicalPerms ? { canonicalPerms } : {}),
    invariants,
    showStep: (a) => showStep(scheme, a),
  };
}
