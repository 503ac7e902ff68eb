// A key-value store: get/put/append (the EDN kv histories) and our service's get/put/delete/cas
// and range by prefix. P-compositional: operations on different keys commute, so a history splits
// into independent partitions. A range reads every key with its prefix, so it glues those keys
// into one partition (see `partitionKv`).

import { accept, type Model, type Operation, type Partition, REJECT, type StepResult } from "./types.js";

export type KvState = ReadonlyMap<string, string>;

export type KvInput =
  | { readonly f: "get"; readonly key: string }
  | { readonly f: "put"; readonly key: string; readonly value: string }
  | { readonly f: "append"; readonly key: string; readonly value: string }
  | { readonly f: "delete"; readonly key: string }
  /** Set `key` to `value` if it holds `expected` (null: if it is absent). */
  | { readonly f: "cas"; readonly key: string; readonly expected: string | null; readonly value: string }
  /** Every present key starting with `prefix`, with its value. */
  | { readonly f: "range"; readonly prefix: string };

export type KvEntry = readonly [key: string, value: string];

export type KvOutput =
  | { readonly f: "get"; readonly value: string | null }
  | { readonly f: "put" }
  | { readonly f: "append" }
  | { readonly f: "delete" }
  /** `ok: false`: the key did not hold `expected`, nothing changed. */
  | { readonly f: "cas"; readonly ok: boolean }
  /** The entries in any order (order is not a linearizability matter); keys are distinct. */
  | { readonly f: "range"; readonly entries: readonly KvEntry[] };

export interface KvModelOptions {
  /**
   * What `get` returns for an absent key and what `cas` compares an absent key as: null (our
   * service) or "" (the EDN kv histories, where an absent key reads as the empty string).
   */
  readonly absent?: string | null;
}

const show = (v: string | null): string => (v === null ? "nil" : JSON.stringify(v));

/**
 * The canonical state key: every present key with its value, each (key, value) pair interned to
 * a small number, sorted by key. Interning (nested maps, so that the value strings, shared by
 * the states that hold them, are hashed once) keeps keys short however long appended values
 * grow. The table lives as long as the model; past INTERNED pairs it is emptied, but numbers are
 * never reused: two states with one key are always equal (an equal state may get a new key after
 * a reset, which only costs the search a configuration seen twice). Memory stays bounded.
 */
const INTERNED = 1 << 20;
const stateKeyer = (): ((s: KvState) => string) => {
  const ids = new Map<string, Map<string, number>>();
  let next = 0;
  let count = 0;
  const idOf = (k: string, v: string): number => {
    let byValue = ids.get(k);
    if (byValue === undefined) ids.set(k, (byValue = new Map()));
    let id = byValue.get(v);
    if (id === undefined) {
      if (count >= INTERNED) {
        ids.clear();
        count = 0;
        ids.set(k, (byValue = new Map()));
      }
      byValue.set(v, (id = next++));
      count++;
    }
    return id;
  };
  return (s) => {
    if (s.size === 0) return "";
    if (s.size === 1) for (const [k, v] of s) return String(idOf(k, v));
    const keys = [...s.keys()].sort();
    let out = "";
    for (const k of keys) out += `${idOf(k, s.get(k)!)},`;
    return out;
  };
};

const withValue = (s: KvState, key: string, value: string | undefined): KvState => {
  const m = new Map(s);
  if (value === undefined) m.delete(key);
  else m.set(key, value);
  return m;
};

const sameEntries = (state: KvState, prefix: string, entries: readonly KvEntry[]): boolean => {
  let present = 0;
  for (const k of state.keys()) if (k.startsWith(prefix)) present++;
  if (present !== entries.length) return false;
  const seen = new Set<string>();
  for (const [k, v] of entries) {
    if (seen.has(k) || !k.startsWith(prefix) || state.get(k) !== v) return false;
    seen.add(k);
  }
  return true;
};

/** The key-value model; `absent` fixes how an absent key reads (null by default). */
export function kvModel(options: KvModelOptions = {}): Model<KvState, KvInput, KvOutput> {
  const absent = options.absent === undefined ? null : options.absent;
  const current = (s: KvState, key: string): string | null => s.get(key) ?? absent;
  return {
    name: absent === null ? "kv" : `kv (absent reads as ${show(absent)})`,
    init: new Map(),
    step(state, input, output): StepResult<KvState> {
      if (output !== undefined && output.f !== input.f) return REJECT;
      switch (input.f) {
        case "get":
          return output === undefined || (output.f === "get" && output.value === current(state, input.key))
            ? accept(state)
            : REJECT;
        case "put":
          return accept(withValue(state, input.key, input.value));
        case "append":
          return accept(withValue(state, input.key, (state.get(input.key) ?? "") + input.value));
        case "delete":
          return accept(state.has(input.key) ? withValue(state, input.key, undefined) : state);
        case "cas": {
          const swapped = current(state, input.key) === input.expected;
          if (output !== undefined && output.f === "cas" && output.ok !== swapped) return REJECT;
          return accept(swapped ? withValue(state, input.key, input.value) : state);
        }
        case "range":
          return output === undefined ||
            (output.f === "range" && sameEntries(state, input.prefix, output.entries))
            ? accept(state)
            : REJECT;
      }
    },
    stateKey: stateKeyer(),
    mayReach(state, input, output, writes) {
      // a get of one key: its value is the current one or a value a put, cas or delete of the key
      // left, extended by appends (anything else: no pruning)
      if (input.f !== "get" || output.f !== "get") return true;
      const want = output.value;
      const extends_ = (base: string | null): boolean =>
        base === want || want?.startsWith(base ?? "") === true;
      if (extends_(current(state, input.key))) return true;
      for (const w of writes) {
        if (w.f === "range" || w.key !== input.key) continue;
        if (w.f === "delete" && extends_(absent)) return true;
        if ((w.f === "put" || w.f === "cas") && extends_(w.value)) return true;
      }
      return false;
    },
    inputKey: (input) =>
      JSON.stringify(
        input.f === "cas"
          ? [input.f, input.key, input.expected, input.value]
          : input.f === "range"
            ? [input.f, input.prefix]
            : input.f === "get" || input.f === "delete"
              ? [input.f, input.key]
              : [input.f, input.key, input.value],
      ),
    isReadOnly: (input) => input.f === "get" || input.f === "range",
    partition: partitionKv,
    describeInput(input) {
      switch (input.f) {
        case "get":
          return `get(${show(input.key)})`;
        case "put":
          return `put(${show(input.key)}, ${show(input.value)})`;
        case "append":
          return `append(${show(input.key)}, ${show(input.value)})`;
        case "delete":
          return `delete(${show(input.key)})`;
        case "cas":
          return `cas(${show(input.key)}, ${show(input.expected)} → ${show(input.value)})`;
        case "range":
          return `range(${show(input.prefix)}*)`;
      }
    },
    describeOutput(output) {
      switch (output.f) {
        case "get":
          return show(output.value);
        case "put":
        case "append":
        case "delete":
          return "ok";
        case "cas":
          return output.ok ? "ok" : "failed";
        case "range":
          return `{${[...output.entries]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => `${show(k)}: ${show(v)}`)
            .join(", ")}}`;
      }
    },
  };
}

/**
 * Split a kv history into independent groups. Without range operations every key is its own
 * group (the classic per-key partition). A range over `prefix` touches every key of the history
 * that starts with `prefix` (keys the history never mentions stay absent, so they cannot matter)
 * plus the keys it returned; the groups are the connected components of "touched by one
 * operation". No operation spans two groups, so by the locality of linearizability (Herlihy &
 * Wing) the history is linearisable iff every group is. A range that touches no key forms a group
 * of its own.
 */
export function partitionKv(
  operations: readonly Operation<KvInput, KvOutput>[],
): Partition<KvInput, KvOutput>[] {
  const keySet = new Set<string>();
  for (const op of operations) {
    if (op.input.f !== "range") keySet.add(op.input.key);
    else if (op.output?.f === "range") for (const [k] of op.output.entries) keySet.add(k);
  }
  const keys = [...keySet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(keys.map((k, i) => [k, i]));
  // union-find over keys, plus one node per range operation
  const parent = Array.from({ length: keys.length + operations.length }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const p = parent[x]!;
      parent[x] = parent[p]!;
      x = p;
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const lowerBound = (p: string): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const node = operations.map((op, i): number => {
    const input = op.input;
    if (input.f !== "range") return index.get(input.key)!;
    const self = keys.length + i;
    for (let j = lowerBound(input.prefix); j < keys.length && keys[j]!.startsWith(input.prefix); j++)
      union(self, j);
    if (op.output?.f === "range") for (const [k] of op.output.entries) union(self, index.get(k)!);
    return self;
  });
  const groups = new Map<number, Operation<KvInput, KvOutput>[]>();
  operations.forEach((op, i) => {
    const root = find(node[i]!);
    const g = groups.get(root);
    if (g) g.push(op);
    else groups.set(root, [op]);
  });
  const label = (ops: readonly Operation<KvInput, KvOutput>[]): Partition<KvInput, KvOutput> => {
    const ks = new Set<string>();
    for (const op of ops) if (op.input.f !== "range") ks.add(op.input.key);
    const sorted = [...ks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const first = ops[0]?.input;
    const name =
      sorted.length === 1
        ? `key ${show(sorted[0]!)}`
        : sorted.length === 0
          ? `range ${show(first?.f === "range" ? first.prefix : "")}*`
          : `keys {${sorted.slice(0, 4).map(show).join(", ")}${sorted.length > 4 ? `, … ${sorted.length} keys` : ""}}`;
    return { label: name, keys: sorted, operations: ops };
  };
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, ops]) => label(ops));
}
