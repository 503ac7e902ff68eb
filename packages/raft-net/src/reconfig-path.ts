// The form a scheme accepts on the way to a configuration that R1⁺ refuses after the current one:
// what a refusal suggests instead (raft-joint: {1,2,3,4} → {1,2,4} goes through the joint
// configuration ({1,2,3,4},{1,2,4}); raft-single: {1,2,3} → {1,2,3,4,5} one node at a time).
import { size } from "@adore/adore-core";
import type { SchemeAdapter } from "./options.js";

/** Largest member universe searched (validConfigs grows exponentially with it). */
const MAX_UNIVERSE = 6;

export interface AcceptedStep<C> {
  readonly config: C;
  /** finish: the leader turns `config` into the target once it commits; step: propose the target after it. */
  readonly kind: "finish" | "step";
}

/**
 * A configuration R1⁺ allows after `current` that leads to `target`: first one the adapter's
 * `finish` turns into `target`, else one after which R1⁺ allows `target`. Undefined when there is
 * none among the configurations over the nodes of both (or that universe is too large to search).
 */
export function acceptedStep<C>(
  adapter: SchemeAdapter<C>,
  current: C,
  target: C,
): AcceptedStep<C> | undefined {
  const sc = adapter.scheme;
  const universe = sc.mbrs(current) | sc.mbrs(target);
  if (size(universe) > MAX_UNIVERSE) return undefined;
  const allowed = sc
    .validConfigs(universe)
    .filter((d) => !sc.equals(d, current) && !sc.equals(d, target) && sc.R1plus(current, d));
  const finishing = allowed.find((d) => {
    const f = adapter.finish?.(d);
    return f !== undefined && sc.equals(f, target);
  });
  if (finishing !== undefined) return { config: finishing, kind: "finish" };
  const step = allowed.find((d) => sc.R1plus(d, target));
  return step === undefined ? undefined : { config: step, kind: "step" };
}
