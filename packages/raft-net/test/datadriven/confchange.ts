// Commands of testdata/confchange/*.txt: the leader's guards on a configuration change
// (core/confchange.ts: R1⁺, R2, R3 of Fig. 7 and the other guards), each named predicate alone
// and all of them in the leader's order, over a leader view the file sets up.
import { type NodeId, showSet } from "@adore/adore-core";
import type { RegisteredScheme } from "@adore/schemes";
import { adapterFor } from "../../src/adapters.js";
import {
  acceptedStep,
  bestVoterOf,
  configIdMismatch,
  malformedMembership,
  notLeader,
  type ReconfigView,
  refuseReconfig,
  removesLeader,
  transferInProgress,
  violatesR1plus,
  violatesR2,
  violatesR3,
} from "../../src/core/confchange.js";
import { newProgress, type Progress } from "../../src/core/progress.js";
import { DEFAULT_OPTIONS, MUTATION_NAMES, type Mutations, type RaftOptions } from "../../src/options.js";
import type { Args } from "../../src/testing/interaction/args.js";
import { showRejection } from "../../src/testing/interaction/show.js";
import type { CommandTable, Fail } from "../../src/testing/interaction/script.js";
import { NONE, type Membership, type Rejection, type Role } from "../../src/types.js";
import { idMapArg, parseConfig, schemeArg, setArg } from "./common.js";

/** The leader view of a file, once `view` set it up. */
export interface ConfChangeState {
  reg?: RegisteredScheme<unknown>;
  view?: ReconfigView<unknown>;
}

type Leader = { readonly reg: RegisteredScheme<unknown>; readonly view: ReconfigView<unknown> };

function leaderOf(st: ConfChangeState, fail: Fail): Leader {
  if (!st.reg || !st.view) return fail("no leader view yet (start with view)");
  return { reg: st.reg, view: st.view };
}

const nodeOrNone = (a: Args, key: string, dflt: NodeId, fail: Fail): NodeId => {
  const v = a.opt(key);
  if (v === undefined) return dflt;
  if (v === "none") return NONE;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 30) fail(`${key}=${v}: not a node id or none`);
  return Number(v);
};

const showNode = (id: NodeId) => (id === NONE ? "none" : String(id));

function showView(reg: RegisteredScheme<unknown>, v: ReconfigView<unknown>): string {
  const match = [...v.progress].map(([id, p]) => `${id}:${p.match}`).join(" ");
  return (
    `${v.id} ${v.role} leader=${showNode(v.leader)} term=${v.term} term-start=${v.termStart} ` +
    `commit=${v.commit} config-index=${v.configIndex} config=${reg.scheme.print(v.current)} ` +
    `transferee=${showNode(v.transferee)} match=(${match})`
  );
}

/** A configuration argument: the scheme's syntax, and `{}` for raft-single's empty set (no parser reads it). */
function configText(reg: RegisteredScheme<unknown>, text: string | undefined, fail: Fail): unknown {
  if (text === undefined) return fail("missing configuration");
  if (text.trim() === "{}" && reg.scheme.name === "raft-single") return 0;
  return parseConfig(reg, text, fail);
}

/** The proposal of propose/guard: `CONFIG [learners=(…)]`. */
function membershipArg(reg: RegisteredScheme<unknown>, a: Args, fail: Fail): Membership<unknown> {
  return { config: configText(reg, a.pos[0], fail), learners: setArg(a, "learners", fail, 0) };
}

function rulesArg(
  a: Args,
  fail: Fail,
): { mutations: Mutations; leaderRemoval: RaftOptions["leaderRemoval"] } {
  const mutations: Record<string, boolean> = {};
  for (const m of a.list("mutations") ?? []) {
    if (!(MUTATION_NAMES as readonly string[]).includes(m)) fail(`unknown mutation ${m}`);
    mutations[m] = true;
  }
  const leaderRemoval = a.oneOf("leader-removal", DEFAULT_OPTIONS.leaderRemoval, [
    "transfer-first",
    "step-down-after-commit",
  ] as const);
  return { mutations: mutations as Mutations, leaderRemoval };
}

const verdict = (r: Rejection | undefined) => (r === undefined ? "ok" : `refused: ${showRejection(r)}`);

/** Every guard by its exported name, applied to the view and a proposal. */
export const GUARDS: Readonly<
  Record<
    string,
    (
      l: Leader,
      m: Membership<unknown>,
      ifConfigIndex: number | undefined,
      leaderRemoval: RaftOptions["leaderRemoval"],
    ) => Rejection | undefined
  >
> = {
  notLeader: (l) => notLeader(l.view),
  transferInProgress: (l) => transferInProgress(l.view),
  configIdMismatch: (l, _m, ifConfigIndex) => configIdMismatch(l.view, ifConfigIndex),
  violatesR2: (l) => violatesR2(l.view),
  violatesR3: (l) => violatesR3(l.view),
  violatesR1plus: (l, m) => violatesR1plus(adapterFor(l.reg.scheme), l.view.current, m.config),
  malformedMembership: (l, m) => malformedMembership(adapterFor(l.reg.scheme), m),
  removesLeader: (l, m, _i, leaderRemoval) =>
    removesLeader(adapterFor(l.reg.scheme), l.view, m, leaderRemoval),
};

export const CONFCHANGE_COMMANDS: CommandTable<ConfChangeState> = {
  /**
   * view [scheme=raft-single] config=CONFIG [id=1] [role=leader] [leader=ID|none] [term=1]
   *   [term-start=1] [commit=1] [config-index=0] [transferee=ID|none] [match=(2:5 3:4)]
   * Sets up the leader view the guards read (the first view needs config=; later ones change
   * only what they name). Prints the whole view.
   */
  view: (st, a, out, fail) => {
    const schemeGiven = a.kv.has("scheme");
    const reg = schemeGiven || !st.reg ? schemeArg(a, fail, "raft-single") : st.reg;
    const text = a.opt("config");
    const prev = schemeGiven ? undefined : st.view;
    if (text === undefined && prev === undefined) fail("missing config=");
    const id = a.int("id", prev?.id ?? 1);
    const role = a.oneOf<Role>("role", prev?.role ?? "leader", [
      "leader",
      "follower",
      "candidate",
      "preCandidate",
    ] as Role[]);
    const matches = idMapArg(a, "match", fail);
    let progress: ReadonlyMap<NodeId, Progress> = prev?.progress ?? new Map();
    if (matches !== undefined)
      progress = new Map(matches.map(([n, m]) => [n, { ...newProgress(m + 1), match: m }]));
    const view: ReconfigView<unknown> = {
      id,
      role,
      leader: nodeOrNone(a, "leader", prev?.leader ?? (role === "leader" ? id : NONE), fail),
      term: a.int("term", prev?.term ?? 1),
      termStart: a.int("term-start", prev?.termStart ?? 1),
      commit: a.int("commit", prev?.commit ?? 1),
      transferee: nodeOrNone(a, "transferee", prev?.transferee ?? NONE, fail),
      configIndex: a.int("config-index", prev?.configIndex ?? 0),
      current: text === undefined ? prev!.current : configText(reg, text, fail),
      progress,
    };
    a.done(0);
    st.reg = reg;
    st.view = view;
    out.push(showView(reg, view));
  },

  /**
   * propose CONFIG [learners=(…)] [if-config-index=N] [leader-removal=…] [mutations=(dropR2 …)]
   * Every guard in the leader's order (refuseReconfig): `accepted`, or the first refusal.
   */
  propose: (st, a, out, fail) => {
    const l = leaderOf(st, fail);
    const m = membershipArg(l.reg, a, fail);
    const ifConfigIndex = a.kv.has("if-config-index") ? a.int("if-config-index", 0) : undefined;
    const rules = rulesArg(a, fail);
    a.done(1);
    const r = refuseReconfig(adapterFor(l.reg.scheme), l.view, m, ifConfigIndex, rules);
    out.push(r === undefined ? "accepted" : `refused: ${showRejection(r)}`);
  },

  /**
   * guard NAME [CONFIG] [learners=(…)] [if-config-index=N] [leader-removal=…]
   * One guard alone, by its exported name: `ok` or its refusal.
   */
  guard: (st, a, out, fail) => {
    const l = leaderOf(st, fail);
    const name = a.pos[0] ?? fail(`missing guard name (one of ${Object.keys(GUARDS).join(", ")})`);
    const g = Object.hasOwn(GUARDS, name) ? GUARDS[name] : undefined;
    if (g === undefined) return fail(`unknown guard ${name} (known: ${Object.keys(GUARDS).join(", ")})`);
    const m: Membership<unknown> =
      a.pos[1] === undefined
        ? { config: l.view.current, learners: setArg(a, "learners", fail, 0) }
        : { config: configText(l.reg, a.pos[1], fail), learners: setArg(a, "learners", fail, 0) };
    const ifConfigIndex = a.kv.has("if-config-index") ? a.int("if-config-index", 0) : undefined;
    const { leaderRemoval } = rulesArg(a, fail);
    a.done(2);
    out.push(verdict(g(l, m, ifConfigIndex, leaderRemoval)));
  },

  /**
   * accepted-step CONFIG
   * What a refusal of CONFIG suggests instead (acceptedStep): a form the leader finishes into it,
   * a first step towards it, or none.
   */
  "accepted-step": (st, a, out, fail) => {
    const l = leaderOf(st, fail);
    const target = configText(l.reg, a.pos[0], fail);
    a.done(1);
    const s = acceptedStep(adapterFor(l.reg.scheme), l.view.current, target);
    out.push(s === undefined ? "none" : `${s.kind} ${l.reg.scheme.print(s.config)}`);
  },

  /**
   * best-voter among=(…)
   * The most up-to-date voter of the current configuration among the given nodes (bestVoterOf):
   * who a leader that removes itself hands over to.
   */
  "best-voter": (st, a, out, fail) => {
    const l = leaderOf(st, fail);
    const among = setArg(a, "among", fail);
    a.done(0);
    const best = bestVoterOf(l.view.progress, l.reg.scheme.mbrs(l.view.current), among);
    out.push(`${showNode(best)} (among ${showSet(among)})`);
  },
};
