import {
  type AdoreBounds,
  type AdoreState,
  type AdoreStep,
  adoreModel,
  adoreSpec,
  range,
  type Scheme,
  stateKey,
  traceArbitrary,
} from "@adore/adore-core";
import { primaryBackup, staticMajority, staticOf } from "@adore/schemes";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CadoBounds, cadoModel, cadoSpec, fromAdoreStep, type QuorumSystem } from "../src/index.js";

/**
 * Every CADO run is an ADORE run under the static scheme: replay each CADO step in ADORE (the
 * static scheme of @adore/schemes, with the paper's rules), step by step, and require that ADORE
 * enables the same step, accepts it by the same rule, and reaches the same state. Also, at every
 * state, CADO's enabled steps are exactly ADORE's minus its reconfigurations.
 */
function simulates<C>(
  quorums: QuorumSystem<C>,
  scheme: Scheme<C>,
  conf: C,
  bounds: CadoBounds,
  maxLength: number,
) {
  const cado = cadoSpec(cadoModel(quorums, conf));
  const adore = adoreSpec(adoreModel(scheme, conf));
  const adoreBounds: AdoreBounds<C> = { ...bounds, maxReconfigs: 2 };
  const key = (a: unknown) => JSON.stringify(a);
  return fc.property(traceArbitrary(cado, bounds, { maxLength }), (trace) => {
    let st: AdoreState<C> = adore.init(adoreBounds);
    expect(st).toStrictEqual(trace.initial);
    for (const { step, rule, state } of trace.steps) {
      const enabledAdore = adore.enabled(st, adoreBounds);
      const cadoLike = enabledAdore.map((a) => fromAdoreStep(a)).filter((a) => a !== undefined);
      expect(cado.enabled(st, bounds).map(key)).toEqual(cadoLike.map(key));
      const a: AdoreStep<C> = step;
      expect(enabledAdore.map(key)).toContain(key(a));
      const r = adore.step(st, a);
      if (!r.ok) throw new Error(`ADORE rejects CADO's step ${cado.showStep(step)}`);
      expect(r.rule).toBe(rule);
      expect(r.next).toStrictEqual(state);
      expect(stateKey(adore, r.next)).toBe(stateKey(cado, state));
      st = r.next;
    }
  });
}

describe("every CADO run is an ADORE run under the static scheme (step by step, same states)", () => {
  it("majority quorums over 3 nodes", () => {
    fc.assert(
      simulates(
        staticMajority,
        staticMajority,
        range(3),
        { nodes: 3, maxTime: 4, maxMethods: 3, failSteps: true },
        30,
      ),
    );
  });

  it("majority quorums over 4 nodes", () => {
    fc.assert(
      simulates(staticMajority, staticMajority, range(4), { nodes: 4, maxTime: 3, maxMethods: 2 }, 20),
      { numRuns: Math.min(50, fc.readConfigureGlobal().numRuns ?? 100) },
    );
  });

  it("a primary with passive backups, under static(primary-backup)", () => {
    fc.assert(
      simulates(
        primaryBackup,
        staticOf(primaryBackup),
        { P: 2, backups: range(3) & ~(1 << 2) },
        { nodes: 3, maxTime: 3, maxMethods: 2, failSteps: true },
        25,
      ),
    );
  });

  it("ADORE runs under the static scheme without reconfigurations are CADO runs", () => {
    const cado = cadoSpec(cadoModel(staticMajority, range(3)));
    const adore = adoreSpec(adoreModel(staticMajority, range(3)));
    const b = { nodes: 3, maxTime: 3, maxMethods: 2, maxReconfigs: 0 };
    fc.assert(
      fc.property(traceArbitrary(adore, b, { maxLength: 25 }), (trace) => {
        let st = cado.init(b);
        for (const { step, state } of trace.steps) {
          const c = fromAdoreStep(step);
          if (c === undefined) throw new Error(`ADORE took ${adore.showStep(step)} with maxReconfigs 0`);
          const r = cado.step(st, c);
          expect(r.ok && r.next).toStrictEqual(state);
          if (r.ok) st = r.next;
        }
      }),
    );
  });
});
