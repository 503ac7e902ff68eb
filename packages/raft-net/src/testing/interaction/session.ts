// One script's state between blocks, and the helpers every command uses to drive and print it.
import type { NodeId } from "@adore/adore-core";
import type { RegisteredScheme } from "@adore/schemes";
import { type ClusterState, deliver, drive, type Effect } from "../../cluster.js";
import type { RaftParams } from "../../options.js";
import type { Input, Membership } from "../../types.js";
import { showMessage } from "../sim.js";
import { parseId } from "./args.js";
import type { Fail, TableCommand } from "./script.js";
import { showEvent, showRejection, showReply } from "./show.js";

export type { Fail } from "./script.js";

/** The cluster a script runs, once `add-nodes` created it. */
export interface World<C> {
  readonly reg: RegisteredScheme<C>;
  readonly params: RaftParams<C>;
  readonly membership0: Membership<C>;
  cl: ClusterState<C>;
}

/** One command of the interpreter's table: reads its arguments, drives the session, prints to `out`. */
export type Command = TableCommand<Session>;

/** As cluster.ts decides it: are a and b in the same partition group (or is there no partition)? */
function connected(cl: ClusterState<unknown>, a: NodeId, b: NodeId): boolean {
  if (cl.partition.length === 0) return true;
  for (const g of cl.partition) if ((g & (1 << a)) !== 0) return (g & (1 << b)) !== 0;
  return false;
}

export class Session {
  w: World<unknown> | undefined;
  requestId = 0;
  /** The first commit-index regression seen between two commands' states. */
  monotone: string | undefined;

  constructor(readonly maxDeliveries: number) {}

  world(fail: Fail): World<unknown> {
    if (!this.w) return fail("no cluster yet (start with add-nodes)");
    return this.w;
  }

  node(w: World<unknown>, s: string | undefined, fail: Fail): NodeId {
    if (s === undefined) return fail("missing node id");
    const id = parseId(s, "node", fail);
    if (!w.cl.nodes.has(id)) fail(`no node ${id} (nodes: ${[...w.cl.nodes.keys()].join(",")})`);
    return id;
  }

  show(w: World<unknown>): (c: unknown) => string {
    return (c) => w.reg.scheme.print(c);
  }

  /** Prints one driven effect: events, replies, rejection, and (optionally) the messages sent. */
  effect(w: World<unknown>, e: Effect<unknown>, out: string[], indent: string, withSends: boolean): void {
    const show = this.show(w);
    for (const ev of e.events) out.push(`${indent}${e.id}: ${showEvent(ev, show)}`);
    const rej = e.rejected ? showRejection(e.rejected) : undefined;
    for (const r of e.replies) {
      // a refusal also comes back as a reply with the same reason: print it once
      if ((r.type === "reconfigFailed" || r.type === "readFailed") && rej === showRejection(r.reason))
        continue;
      out.push(`${indent}${e.id}: ${showReply(r)}`);
    }
    if (rej !== undefined) out.push(`${indent}${e.id}: rejected: ${rej}`);
    if (withSends)
      for (const m of e.sent)
        out.push(
          `${indent}> ${showMessage(m, show)}${connected(w.cl, m.from, m.to) ? "" : " (lost: partitioned)"}`,
        );
  }

  step(w: World<unknown>, id: NodeId, input: Input<unknown>, out: string[], withSends = true): void {
    const r = drive(w.cl, id, input, w.params, this.show(w));
    w.cl = r.cluster;
    this.effect(w, r.effect, out, "", withSends);
  }

  /** Delivers network[i], printing it and what it caused. */
  deliverAt(w: World<unknown>, i: number, out: string[]): void {
    const m = w.cl.network[i]!;
    const show = this.show(w);
    out.push(showMessage(m, show));
    const to = w.cl.nodes.get(m.to);
    const r = deliver(w.cl, i, w.params, show);
    w.cl = r.cluster;
    if (r.effect) this.effect(w, r.effect, out, "  ", false);
    else out.push(`  lost: ${!to ? `no node ${m.to}` : !to.up ? `${m.to} is down` : "partitioned"}`);
  }
}
