import {
  type AdoreState,
  type AdoreStep,
  adoreModel,
  type Cache,
  type Cid,
  initialState,
  renderSvg,
  replicatedStateSafety,
  type Scheme,
  step,
  type Tree,
} from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import type { TraceReport } from "./traces.js";

/**
 * The ADORE view of a recorded run: every leader's election, appended entries and commits, in term
 * order (one leader per term, so within a term the leader's own order), mapped to pull /
 * invoke / reconfig / push with the oracle choices the run made (the voters, the acknowledging
 * quorum) and replayed through adore-core's `step` under the paper's rules. The result is the
 * run's cache tree, the steps ADORE refused (with the premise) and Replicated State Safety.
 *
 * This is the literal correspondence of section 5 (election = pull, commit = push); see
 * docs/elections.md for the runs where Raft's elections are not literally ADORE pulls. A run
 * without leader changes under uncommitted entries maps exactly.
 */
export interface AdoreView<C> {
  readonly state: AdoreState<C>;
  readonly scheme: Scheme<C>;
  readonly steps: number;
  readonly refused: readonly string[];
  readonly safety: string | null;
}

export function adoreViewOfTraces(report: TraceReport): AdoreView<unknown> {
  const scheme = getScheme(report.scheme).scheme as Scheme<unknown>;
  const m = adoreModel(scheme, report.bootstrap);
  const nodes = Math.max(...report.nodes.map((n) => n.node), 1);
  let st = initialState(report.bootstrap, nodes);
  const refused: string[] = [];
  let steps = 0;
  // (index, term) of a leader's entry → its cache
  const cacheOf = new Map<string, Cid>();
  const ordered = report.leaderSteps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.term - b.s.term || a.i - b.i)
    .map((x) => x.s);
  const apply = (a: AdoreStep<unknown>, what: string): boolean => {
    steps++;
    const r = step(m, st, a);
    if (!r.ok) {
      refused.push(`${what}: ${r.reason.message}`);
      return false;
    }
    st = r.next;
    return true;
  };
  for (const s of ordered) {
    switch (s.kind) {
      case "elected":
        apply({ op: "pull", nid: s.node, Q: s.voters, t: s.term }, `pull(S${s.node}, t=${s.term})`);
        break;
      case "appended":
        for (const e of s.entries) {
          const ok =
            e.kind === "config"
              ? apply(
                  { op: "reconfig", nid: s.node, ncf: e.membership.config },
                  `reconfig(S${s.node}) at ${e.index}`,
                )
              : apply(
                  { op: "invoke", nid: s.node, method: e.kind === "noop" ? "noop" : e.command },
                  `invoke(S${s.node}) at ${e.index}`,
                );
          if (ok) cacheOf.set(`${e.index}:${e.term}`, st.caches.length - 1);
        }
        break;
      case "committed": {
        const cm = cacheOf.get(`${s.to}:${s.term}`);
        if (cm === undefined) {
          refused.push(`push(S${s.node}) to ${s.to}: no cache for that entry`);
          break;
        }
        apply({ op: "push", nid: s.node, Q: s.quorum, cm }, `push(S${s.node}) to ${s.to}`);
        break;
      }
    }
  }
  return { state: st, scheme, steps, refused, safety: replicatedStateSafety(st) };
}

/**
 * A drawable summary of a big tree: runs of single-child MCaches and CCaches between the caches
 * that matter (ECaches, RCaches, branch points, leaves) become one node "… n entries …".
 */
export function summarizeTree<C>(tr: Tree<C>): Tree<C> {
  const kids: Cid[][] = tr.caches.map(() => []);
  for (let i = 1; i < tr.parent.length; i++) kids[tr.parent[i]!]!.push(i);
  const keep = (c: Cid) => {
    const k = tr.caches[c]!.kind;
    return c === 0 || k === "ECache" || k === "RCache" || kids[c]!.length !== 1;
  };
  const caches: Cache<C>[] = [];
  const parent: Cid[] = [];
  const walk = (c: Cid, newParent: Cid): void => {
    let p = newParent;
    let cur = c;
    // collapse a run of unremarkable caches
    const run: Cid[] = [];
    while (!keep(cur)) {
      run.push(cur);
      cur = kids[cur]![0]!;
    }
    if (run.length === 1) {
      caches.push(tr.caches[run[0]!]!);
      parent.push(p);
      p = caches.length - 1;
    } else if (run.length > 1) {
      const first = tr.caches[run[0]!]!;
      const commits = run.filter((x) => tr.caches[x]!.kind === "CCache").length;
      caches.push({
        kind: "MCache",
        caller: first.caller,
        time: first.time,
        versn: first.versn,
        conf: first.conf,
        method: `… ${run.length - commits} entries, ${commits} commits …`,
      } as Cache<C>);
      parent.push(p);
      p = caches.length - 1;
    }
    caches.push(tr.caches[cur]!);
    parent.push(cur === 0 ? -1 : p);
    const me = caches.length - 1;
    for (const k of kids[cur]!) walk(k, me);
  };
  walk(0, -1);
  return { caches, parent };
}

/** The SVG of a run's (summarized) cache tree. */
export function renderRunSvg(view: AdoreView<unknown>, title: string): string {
  return renderSvg(view.scheme, summarizeTree(view.state), { title });
}
