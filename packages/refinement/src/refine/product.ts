import type { Invariant, KeySink, Spec, Violation } from "@adore/adore-core";
import {
  type SRaftBounds,
  type SRaftSpec,
  type SRaftState,
  type SRaftStep,
  showSRaftStep,
} from "@adore/sraft";
import { describeFailure, mappedByStep } from "./show.js";
import { type LagOptions, LaggingRefiner } from "./lagging.js";

/**
 * SRaft × the SRaft → ADORE mapping, as one Spec: every SRaft transition the explorer takes is
 * mapped to ADORE steps (checked by adore-core's `step`), and R and Def. 4.1 are invariants.
 * The ADORE state and the mapping's ghost state are part of the explored state.
 */
export interface ProductState<C> {
  readonly s: SRaftState<C>;
  readonly ref: LaggingRefiner<C>;
  readonly depth: number;
}

export function productSpec<C>(
  sraft: SRaftSpec<C>,
  o: LagOptions<C>,
): Spec<ProductState<C>, SRaftStep, SRaftBounds<C>> {
  const invariants: Invariant<ProductState<C>>[] = [
    ...sraft.invariants.map((i) => ({ ...i, check: (p: ProductState<C>) => i.check(p.s) })),
    {
      name: "Refinement",
      description: "every mapped ADORE step accepted, R after every step, Def. 4.1 after every push",
      check: (p) => (p.ref.failure ? `${p.ref.failure.kind}: ${p.ref.failure.message}` : null),
    },
  ];
  return {
    name: `${sraft.name} → adore`,
    checkBounds: (b) => sraft.checkBounds?.(b),
    init: (b) => ({ s: sraft.init(b), ref: new LaggingRefiner(o), depth: 0 }),
    enabled: (p, b) => (p.ref.failure ? [] : sraft.enabled(p.s, b)),
    step(p, a) {
      const r = sraft.step(p.s, a);
      if (!r.ok) return r;
      const ref = p.ref.clone();
      ref.feed({ n: p.depth + 1, effects: r.next.effects, cluster: r.next.cluster });
      return { ok: true, next: { s: r.next, ref, depth: p.depth + 1 }, ...(r.rule ? { rule: r.rule } : {}) };
    },
    encode(p, sink: KeySink) {
      sraft.encode(p.s, sink);
      const st = p.ref.st;
      sink.add(-7);
      for (let i = 1; i < st.times.length; i++) sink.add(st.times[i]!);
      sink.add(st.caches.length);
      for (let i = 1; i < st.caches.length; i++) {
        const c = st.caches[i]!;
        sink.add(st.parent[i]!);
        sink.add(c.kind.charCodeAt(0));
        sink.add(c.caller);
        sink.add(c.time);
        sink.add(c.versn);
        if (c.kind === "ECache" || c.kind === "CCache") sink.add(c.supporters);
      }
      for (const r of [...p.ref.leaders.values()].sort((a, b) => a.term - b.term)) {
        sink.add(r.term);
        sink.add(r.id);
        sink.add(r.ecache ?? -1);
        sink.add(r.entries.length);
      }
      sink.add(p.ref.failure ? 1 : 0);
    },
    invariants,
    showStep: (a) => showSRaftStep(a, sraft.configs, (c) => sraft.params.adapter.scheme.print(c)),
  };
}

/**
 * A counterexample of the product as text: each SRaft step (numbered 1..n) with the ADORE steps the
 * mapping emitted for it, then the failure, naming the SRaft step it came from (and, for a refused
 * ADORE step, that step). The explorer's states carry no record of the ADORE steps, so the trace is
 * fed again to a recording refiner with the same options (the mapping is deterministic).
 */
export function showProductTrace<C>(
  spec: Spec<ProductState<C>, SRaftStep, SRaftBounds<C>>,
  o: LagOptions<C>,
  v: Violation<ProductState<C>, SRaftStep>,
): string[] {
  const ref = new LaggingRefiner(o, true);
  v.trace.steps.forEach((st, i) => {
    ref.feed({ n: i + 1, effects: st.state.s.effects, cluster: st.state.s.cluster });
  });
  const byStep = mappedByStep(ref.mapped ?? []);
  const lines: string[] = [];
  v.trace.steps.forEach((st, i) => {
    lines.push(`  ${i + 1}. ${spec.showStep(st.step)}`);
    for (const a of byStep.get(i + 1) ?? []) lines.push(`      ADORE ${a}`);
  });
  const f = v.invariant === "Refinement" ? ref.failure : undefined;
  const k = f?.at ?? v.trace.steps.length;
  const last = v.trace.steps[k - 1];
  const what = f ? describeFailure(f) : `${v.invariant}: ${v.message}`;
  lines.push(
    last ? `!! SRaft step ${k} (${spec.showStep(last.step)}): ${what}` : `!! the initial state: ${what}`,
  );
  return lines;
}
