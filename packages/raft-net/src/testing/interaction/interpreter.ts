// The interpreter: one session per script, commands dispatched on a table keyed by name.
import { commitMonotone } from "../../cluster.js";
import * as cluster from "./commands/cluster.js";
import { injectMsg } from "./commands/inject.js";
import * as network from "./commands/network.js";
import * as state from "./commands/state.js";
import { type CommandTable, runCommand, type ScriptOptions } from "./script.js";
import { Session } from "./session.js";

/** Every command, by the name a script uses (this order is the one errors list). */
export const COMMANDS: CommandTable<Session> = {
  "add-nodes": cluster.addNodes,
  campaign: cluster.campaign,
  tick: cluster.tick,
  "tick-election": cluster.tickElection,
  "tick-heartbeat": cluster.tickHeartbeat,
  propose: cluster.propose,
  "propose-conf-change": cluster.proposeConfChange,
  "transfer-leadership": cluster.transferLeadership,
  "read-index": cluster.readIndex,
  compact: cluster.compact,
  "deliver-msgs": network.deliverOrDrop,
  "drop-msgs": network.deliverOrDrop,
  stabilize: network.stabilize,
  partition: network.partition,
  heal: network.heal,
  crash: network.crash,
  restart: network.restart,
  "raft-state": state.raftState,
  "raft-log": state.raftLog,
  "check-invariants": state.checkInvariants,
  "inject-msg": injectMsg,
};

/** One script's state: the cluster and everything the commands need between blocks. */
export class Interpreter {
  private readonly session: Session;
  private readonly file: string;

  constructor(opts: ScriptOptions = {}) {
    this.session = new Session(opts.maxDeliveries ?? 10_000);
    this.file = opts.file ?? "";
  }

  /** Runs one command line; returns its output (throws ScriptError on a bad command). */
  run(command: string, line = 0): string {
    const s = this.session;
    const before = s.w?.cl;
    const out = runCommand(COMMANDS, s, command, line, this.file);
    if (before && s.w && !s.monotone) s.monotone = commitMonotone(before, s.w.cl);
    return out;
  }
}
