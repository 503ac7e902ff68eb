// The nemesis: a deterministic schedule of fault events at times, made from a seed, and the loops
// that carry it out against a running cluster.
//
// Two timelines run side by side:
// - faults, one at a time: SIGKILL then restart, SIGSTOP then SIGCONT, partitions (random halves,
//   the leader isolated, an asymmetric cut: the leader mute or deaf), slow links (delay); each
//   lasts a scheduled time and is then undone;
// - reconfigurations, while the faults happen: remove a member, remove the current leader, add a
//   member back (directly or as a learner then promoted), and under raft-joint joint changes
//   (replace a member, or remove/add two at once) through an explicit (old, new) configuration;
//   and misuses an operator might make, each of which must be refused with a definite answer and
//   leave the leader's configuration and peer directory as they were: re-addressing a voter through
//   `learner`, re-adding the leader at other addresses, adding a phantom voter (a node that never
//   ran, or a non-member the leader has not heard from) without force, and moving a member onto
//   another member's address.
// The schedule (kinds, times, durations, and a number `pick` that chooses among the candidates at
// run time: "the leader" is whoever leads then) is a function of the seed alone. Every loop is
// bounded by the schedule's length and by the run's deadline.

import type { AdoreClient } from "@adore/runtime-node";
import { AdoreError } from "@adore/runtime-node";
import type { Network } from "./network.js";
import { FaultRng } from "./rng.js";

export const FAULT_KINDS = [
  "kill",
  "pause",
  "partition-halves",
  "isolate-leader",
  "asymmetric",
  "delay",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const RECONFIG_KINDS = ["remove", "remove-leader", "add", "learner", "joint", "misuse"] as const;
export type ReconfigKind = (typeof RECONFIG_KINDS)[number];

export interface FaultEvent {
  /** Milliseconds after the workload started. */
  readonly at: number;
  readonly kind: FaultKind;
  readonly durationMs: number;
  /** In [0, 1): chooses the target among the candidates at run time. */
  readonly pick: number;
  /** In [0, 1): a second choice (asymmetric: mute or deaf; kill/pause: the leader or not). */
  readonly pick2: number;
}

export interface ReconfigEvent {
  readonly at: number;
  readonly kind: ReconfigKind;
  readonly pick: number;
}

export interface Schedule {
  readonly faults: readonly FaultEvent[];
  readonly reconfigs: readonly ReconfigEvent[];
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly scheme: string;
  readonly faultKinds?: readonly FaultKind[];
  /** Reconfigurations on (default true). */
  readonly reconfigure?: boolean;
  /** Quiet time at the start, ms (default 1500). */
  readonly warmupMs?: number;
  /** Fault durations, ms (default [800, 3000]). */
  readonly faultMs?: readonly [number, number];
  /** Pause between faults, ms (default [300, 1500]). */
  readonly gapMs?: readonly [number, number];
  /** Time between reconfigurations, ms (default [2000, 5000]). */
  readonly reconfigGapMs?: readonly [number, number];
}

/** Draws kinds from a shuffled bag, refilled when empty: every kind comes once per round. */
function bag<T>(rng: FaultRng, kinds: readonly T[]): () => T {
  let left: T[] = [];
  return () => {
    if (left.length === 0) left = rng.shuffle(kinds);
    return left.pop()!;
  };
}

/**
 * The schedule a seed gives: the same seed, the same events at the same times. Kinds are drawn
 * from a shuffled bag, so that even a short run sees every kind of fault and reconfiguration.
 */
export function makeSchedule(o: ScheduleOptions): Schedule {
  const rng = new FaultRng(o.seed);
  const frng = rng.fork();
  const rrng = rng.fork();
  const kinds = o.faultKinds ?? FAULT_KINDS;
  const [fLo, fHi] = o.faultMs ?? [800, 3000];
  const [gLo, gHi] = o.gapMs ?? [300, 1500];
  const faults: FaultEvent[] = [];
  // the last fault ends a little before the deadline, so that its recovery is part of the run
  const end = o.durationMs - 500;
  const nextFault = bag(frng, kinds);
  for (let t = o.warmupMs ?? 1500; kinds.length > 0 && faults.length < 10_000; ) {
    const durationMs = frng.range(fLo, fHi);
    if (t + durationMs > end) break;
    faults.push({ at: t, kind: nextFault(), durationMs, pick: frng.next(), pick2: frng.next() });
    t += durationMs + frng.range(gLo, gHi);
  }
  const reconfigs: ReconfigEvent[] = [];
  if (o.reconfigure ?? true) {
    // removals and additions alternate, so the membership keeps changing both ways
    const removals = bag<ReconfigKind>(rrng, ["remove", "remove-leader"]);
    const additions = bag<ReconfigKind>(rrng, ["add", "learner"]);
    const [rLo, rHi] = o.reconfigGapMs ?? [2000, 5000];
    for (let t = (o.warmupMs ?? 1500) + rrng.range(rLo, rHi) / 2; t < end && reconfigs.length < 10_000; ) {
      const n = reconfigs.length;
      const kind: ReconfigKind =
        o.scheme === "raft-joint" && n % 3 === 2
          ? "joint"
          : n % 4 === 3
            ? "misuse"
            : n % 2 === 0
              ? removals()
              : additions();
      reconfigs.push({ at: Math.round(t), kind, pick: rrng.next() });
      t += rrng.range(rLo, rHi);
    }
  }
  return { faults, reconfigs };
}

/** What the nemesis acts on (the harness provides it). */
export interface NemesisTarget {
  readonly ids: readonly number[];
  readonly scheme: string;
  readonly network: Network;
  /** Nodes whose process runs (paused ones included). */
  running(): number[];
  kill(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  pause(id: number): void;
  resume(id: number): void;
  isPaused(id: number): boolean;
  /** The current leader and its view of the configuration, if one answers. */
  leader(): Promise<LeaderView | undefined>;
  /** The addresses to publish for a node when adding it: its proxy's, and its client port. */
  publishedAddress(id: number): { peerAddr: string; clientAddr: string };
  readonly admin: AdoreClient;
  log(line: string): void;
}

export interface LeaderView {
  readonly id: number;
  /** The leader's peer directory. */
  readonly directory: ReadonlyArray<{
    readonly id: number;
    readonly peerAddr: string;
    readonly clientAddr: string;
  }>;
  readonly term: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  readonly configIndex: number;
  readonly committed: boolean;
  readonly configText: string;
}

export interface NemesisStats {
  readonly faults: Record<FaultKind, number>;
  /** Fault events that found no target (e.g. no leader to isolate). */
  faultsSkipped: number;
  readonly reconfig: {
    /** Committed changes by what they did. */
    readonly done: Record<string, number>;
    /** Refused with a definite answer (no effect), by error code / rejection. */
    readonly refused: Record<string, number>;
    /** Outcome unknown (timed out). */
    unknown: number;
    /** Not attempted: no leader, or the configuration was not committed yet. */
    skipped: number;
    /** The misuses: refused as expected (by code), and the failures — accepted, or refused yet changed something. */
    readonly misuse: {
      readonly refused: Record<string, number>;
      readonly accepted: string[];
      readonly changed: string[];
    };
  };
  /** Every event as it happened, for the report. */
  readonly events: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const set = (ids: readonly number[]) => `{${[...ids].sort((a, b) => a - b).join(",")}}`;

export class Nemesis {
  readonly stats: NemesisStats = {
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    faultsSkipped: 0,
    reconfig: {
      done: {},
      refused: {},
      unknown: 0,
      skipped: 0,
      misuse: { refused: {}, accepted: [], changed: [] },
    },
    events: [],
  };
  private stopped = false;
  private wake: Array<() => void> = [];
  private loops: Promise<void>[] = [];
  private t0 = 0;
  /** Smallest number of voters the reconfigurations leave. */
  readonly minVoters: number;

  constructor(
    private readonly schedule: Schedule,
    private readonly t: NemesisTarget,
  ) {
    this.minVoters = Math.max(2, t.ids.length - 2);
  }

  start(): void {
    this.t0 = Date.now();
    this.loops = [this.faultLoop(), this.reconfigLoop()];
  }

  /** Stops both loops (the current fault is undone) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.wake.splice(0)) w();
    await Promise.all(this.loops);
  }

  private note(s: string): void {
    const line = `+${((Date.now() - this.t0) / 1000).toFixed(1)}s ${s}`;
    this.stats.events.push(line);
    this.t.log(line);
  }

  /** Sleeps until `ms` after start, or until stopped; false if stopped. */
  private async until(ms: number): Promise<boolean> {
    const wait = this.t0 + ms - Date.now();
    if (wait > 0 && !this.stopped)
      await new Promise<void>((r) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          r();
        }
        this.wake.push(done);
      });
    return !this.stopped;
  }

  private async faultLoop(): Promise<void> {
    for (const ev of this.schedule.faults) {
      if (!(await this.until(ev.at))) return;
      let undo: (() => Promise<void> | void) | undefined;
      try {
        undo = await this.inject(ev);
        if (!undo) {
          this.stats.faultsSkipped++;
          continue;
        }
        this.stats.faults[ev.kind]++;
        await this.until(ev.at + ev.durationMs);
      } catch (e) {
        this.note(`fault ${ev.kind} failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (undo)
          await Promise.resolve(undo()).catch((e: unknown) =>
            this.note(`undoing ${ev.kind} failed: ${e instanceof Error ? e.message : String(e)}`),
          );
      }
    }
  }

  private choose<T>(xs: readonly T[], pick: number): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(pick * xs.length) % xs.length];
  }

  /** Starts a fault; returns how to undo it, or undefined if it had no target. */
  private async inject(ev: FaultEvent): Promise<(() => Promise<void> | void) | undefined> {
    const t = this.t;
    const net = t.network;
    const live = t.running().filter((id) => !t.isPaused(id));
    const leaderOr = async (candidates: readonly number[]) => {
      if (ev.pick2 < 0.4) {
        const l = await t.leader();
        if (l && candidates.includes(l.id)) return l.id;
      }
      return this.choose(candidates, ev.pick);
    };
    switch (ev.kind) {
      case "kill": {
        const id = await leaderOr(live);
        if (id === undefined) return undefined;
        this.note(`kill -9 n${id} for ${ev.durationMs} ms`);
        await t.kill(id);
        return async () => {
          this.note(`restart n${id}`);
          await t.restart(id);
        };
      }
      case "pause": {
        const id = await leaderOr(live);
        if (id === undefined) return undefined;
        this.note(`SIGSTOP n${id} for ${ev.durationMs} ms`);
        t.pause(id);
        return () => {
          this.note(`SIGCONT n${id}`);
          t.resume(id);
        };
      }
      case "partition-halves": {
        const order = new FaultRng(Math.floor(ev.pick * 2 ** 32)).shuffle(t.ids);
        const half = Math.floor(order.length / 2);
        const a = order.slice(0, half);
        const b = order.slice(half);
        this.note(`partition ${set(a)} | ${set(b)} for ${ev.durationMs} ms`);
        net.partition([a, b]);
        return () => {
          this.note("heal");
          net.heal();
        };
      }
      case "isolate-leader": {
        const l = await t.leader();
        if (!l) return undefined;
        this.note(`isolate leader n${l.id} for ${ev.durationMs} ms`);
        net.isolate(l.id);
        return () => {
          this.note("heal");
          net.heal();
        };
      }
      case "asymmetric": {
        const l = await t.leader();
        const id = l?.id ?? this.choose(t.ids, ev.pick);
        if (id === undefined) return undefined;
        const mute = ev.pick2 < 0.5;
        for (const x of t.ids) if (x !== id) mute ? net.cut(id, x) : net.cut(x, id);
        this.note(
          `asymmetric: n${id}${l?.id === id ? " (leader)" : ""} ${mute ? "cannot send (mute)" : "cannot receive (deaf)"} for ${ev.durationMs} ms`,
        );
        return () => {
          this.note("heal");
          net.heal();
        };
      }
      case "delay": {
        const ms = 20 + Math.floor(ev.pick * 130);
        this.note(`delay every link by ${ms} ms for ${ev.durationMs} ms`);
        net.delayAll(ms);
        return () => {
          this.note("heal");
          net.heal();
        };
      }
    }
  }

  private async reconfigLoop(): Promise<void> {
    for (const ev of this.schedule.reconfigs) {
      if (!(await this.until(ev.at))) return;
      try {
        await this.reconfigure(ev);
      } catch (e) {
        this.note(`reconfiguration ${ev.kind} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** The leader once its configuration is committed and not joint (polls for at most 2 s). */
  private async committedLeader(): Promise<LeaderView | undefined> {
    for (let i = 0; i < 20 && !this.stopped; i++) {
      const l = await this.t.leader();
      if (l?.committed && !l.configText.startsWith("(")) return l;
      await sleep(100);
    }
    return undefined;
  }

  private async reconfigure(ev: ReconfigEvent): Promise<void> {
    const t = this.t;
    const rs = this.stats.reconfig;
    const l = await t.leader();
    if (!l?.committed || l.configText.startsWith("(")) {
      rs.skipped++;
      this.note(`reconfiguration ${ev.kind} skipped: ${l ? "a change is in progress" : "no leader"}`);
      return;
    }
    const voters = [...l.voters];
    const outside = t.ids.filter((id) => !voters.includes(id));
    const canRemove = voters.length > this.minVoters;
    let kind = ev.kind;
    if (kind === "misuse") return this.misuse(ev, l);
    if (kind === "joint" && t.scheme !== "raft-joint") kind = "remove";
    if ((kind === "remove" || kind === "remove-leader") && !canRemove) kind = "add";
    if ((kind === "add" || kind === "learner") && outside.length === 0) kind = "remove";
    if (kind === "remove" && voters.length <= 1) kind = "remove-leader";
    const cas = l.configIndex;
    let lastRefusal: string | undefined;
    const run = async (
      what: string,
      f: () => Promise<unknown>,
      counted: string = kind,
      view: LeaderView = l,
    ): Promise<boolean> => {
      this.note(`reconfigure: ${what} (leader n${view.id}, config ${view.configText})`);
      lastRefusal = undefined;
      try {
        await f();
        rs.done[counted] = (rs.done[counted] ?? 0) + 1;
        this.note(`reconfigure: ${what}: done`);
        return true;
      } catch (e) {
        if (e instanceof AdoreError && e.code === "Timeout") {
          rs.unknown++;
          this.note(`reconfigure: ${what}: outcome unknown (${e.message})`);
        } else {
          const code =
            e instanceof AdoreError ? (e.rejection ? `Rejected/${e.rejection.code}` : e.code) : "Error";
          rs.refused[code] = (rs.refused[code] ?? 0) + 1;
          lastRefusal = code;
          this.note(`reconfigure: ${what}: refused (${e instanceof Error ? e.message : String(e)})`);
        }
        return false;
      }
    };
    switch (kind) {
      case "remove": {
        const id = this.choose(
          voters.filter((v) => v !== l.id),
          ev.pick,
        );
        if (id === undefined) return;
        await run(`remove n${id}`, () => t.admin.removeMember(id, cas));
        return;
      }
      case "remove-leader": {
        if (await run(`remove the leader n${l.id}`, () => t.admin.removeMember(l.id, cas))) return;
        // "transfer-first": the leader refuses to leave by itself and hands leadership to the most
        // up-to-date voter (RemovesLeader); the new leader then makes the change
        if (lastRefusal !== "Rejected/RemovesLeader") return;
        for (let i = 0; i < 20 && !this.stopped; i++) {
          const l2 = await this.committedLeader();
          if (l2 && l2.id !== l.id) {
            if (l2.voters.includes(l.id) && l2.voters.length > this.minVoters)
              await run(
                `remove the former leader n${l.id} after the transfer`,
                () => t.admin.removeMember(l.id, l2.configIndex),
                kind,
                l2,
              );
            return;
          }
          await sleep(100);
        }
        return;
      }
      case "add": {
        const id = this.choose(outside, ev.pick)!;
        if (l.learners.includes(id))
          await run(`promote learner n${id}`, () => t.admin.promote(id, cas), "promote");
        // a removed node: the leader no longer hears from it, and the nemesis adds it back directly
        // (the operator's way is learner then promote: the "learner" kind)
        else
          await run(`add n${id}`, () =>
            t.admin.addMember(id, t.publishedAddress(id), { ifConfigIndex: cas, force: true }),
          );
        return;
      }
      case "learner": {
        const id = this.choose(outside, ev.pick)!;
        if (l.learners.includes(id)) {
          await run(`promote learner n${id}`, () => t.admin.promote(id, cas), "promote");
          return;
        }
        if (
          !(await run(`add n${id} as a learner`, () => t.admin.addLearner(id, t.publishedAddress(id), cas)))
        )
          return;
        // promote once the learner entry is committed
        const l2 = await this.committedLeader();
        if (l2?.learners.includes(id))
          await run(`promote learner n${id}`, () => t.admin.promote(id, l2.configIndex), "promote");
        return;
      }
      case "joint": {
        // replace a member by an outsider, or move two members at once, through (old, new)
        let next: number[];
        if (outside.length > 0 && voters.length >= 2) {
          const out = this.choose(voters, ev.pick)!;
          const inn = this.choose(outside, 1 - ev.pick)!;
          next = [...voters.filter((v) => v !== out), inn];
        } else if (voters.length - 2 >= this.minVoters)
          next = voters.filter((v) => v !== this.choose(voters, ev.pick)).slice(0, voters.length - 2);
        else next = [...t.ids];
        const text = `(${set(voters)},${set(next)})`;
        if (set(next) === set(voters)) return;
        // members that join must be reachable through their proxies: publish their addresses first
        for (const id of next.filter((x) => !voters.includes(x))) {
          const lv = await this.committedLeader();
          if (!lv) return;
          if (!lv.learners.includes(id))
            await run(
              `publish n${id} as a learner before the joint change`,
              () => t.admin.addLearner(id, t.publishedAddress(id), lv.configIndex),
              "learner",
              lv,
            );
        }
        const l2 = await this.committedLeader();
        if (!l2) return;
        // the learners just added may still be catching up: the joint change does not wait (force)
        await run(`joint change ${text}`, () =>
          t.admin.setConfig(`(${set(l2.voters)},${set(next)})`, {
            ifConfigIndex: l2.configIndex,
            force: true,
          }),
        );
        return;
      }
    }
  }

  /**
   * One operator mistake (chosen by `pick`) against the leader `l`: it must be refused with the
   * expected code and leave the configuration and the peer directory exactly as they were.
   */
  private async misuse(ev: ReconfigEvent, l: LeaderView): Promise<void> {
    const t = this.t;
    const ms = this.stats.reconfig.misuse;
    const voters = [...l.voters];
    const outside = t.ids.filter((id) => !voters.includes(id) && !l.learners.includes(id));
    const follower = this.choose(
      voters.filter((v) => v !== l.id),
      ev.pick,
    );
    // an id no node of the harness uses, and addresses nothing listens on
    const phantom = Math.max(...t.ids) + 1;
    const nowhere = (k: number) => ({ peerAddr: `127.0.0.1:${k}`, clientAddr: `127.0.0.1:${k + 1}` });
    const cas = { ifConfigIndex: l.configIndex };
    const options: Array<{ what: string; expect: string; f: () => Promise<unknown> }> = [
      {
        what: `re-address the leader n${l.id} through add`,
        expect: "AlreadyMember",
        f: () => t.admin.addMember(l.id, nowhere(5), cas),
      },
      {
        what: `add phantom n${phantom} without --force`,
        expect: "NotCaughtUp",
        f: () => t.admin.addMember(phantom, nowhere(7), cas),
      },
    ];
    if (follower !== undefined) {
      options.push({
        what: `re-address voter n${follower} through learner`,
        expect: "AlreadyMember",
        f: () => t.admin.addLearner(follower, nowhere(1), cas),
      });
      const taken = l.directory.find((d) => d.id === l.id);
      if (taken)
        options.push({
          what: `move n${follower} onto the leader's address`,
          expect: "AddressInUse",
          f: () => t.admin.updateMember(follower, { peerAddr: taken.peerAddr, clientAddr: "127.0.0.1:9" }),
        });
    }
    const unheard = this.choose(outside, ev.pick);
    if (unheard !== undefined) {
      const grown = set([...voters, unheard]);
      const text = t.scheme === "raft-joint" ? `(${set(voters)},${grown})` : grown;
      options.push({
        what: `member set ${text} with n${unheard} unheard of`,
        expect: "NotCaughtUp",
        f: () => t.admin.setConfig(text, cas),
      });
    }
    const m = options[Math.floor(ev.pick * 997) % options.length]!;
    this.note(`misuse: ${m.what} (leader n${l.id}, config ${l.configText}); must be refused: ${m.expect}`);
    let outcome: string;
    try {
      await m.f();
      outcome = "accepted";
    } catch (e) {
      outcome = e instanceof AdoreError ? e.code : "Error";
      this.note(`misuse: ${m.what}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (outcome === "accepted") {
      ms.accepted.push(m.what);
      this.note(`misuse: ${m.what}: ACCEPTED`);
    } else if (outcome === m.expect) ms.refused[outcome] = (ms.refused[outcome] ?? 0) + 1;
    else {
      // another definite answer (NotLeader, Timeout, … while faults happen): not the check's business
      this.stats.reconfig.refused[`misuse/${outcome}`] =
        (this.stats.reconfig.refused[`misuse/${outcome}`] ?? 0) + 1;
    }
    // the configuration and the directory are as they were (read from whoever leads now)
    const after = await t.leader();
    if (!after) return;
    const dir = (v: LeaderView) => JSON.stringify([...v.directory].sort((a, b) => a.id - b.id));
    // directories are compared on the same leader only (each node lists itself as it bound)
    const moved = after.id === l.id && dir(after) !== dir(l);
    if (after.configIndex !== l.configIndex || after.configText !== l.configText || moved) {
      const what = `${m.what}: configuration ${l.configText}@${l.configIndex} → ${after.configText}@${after.configIndex}${moved ? `, directory ${dir(l)} → ${dir(after)}` : ""}`;
      ms.changed.push(what);
      this.note(`misuse: CHANGED THE CLUSTER: ${what}`);
    }
  }
}
