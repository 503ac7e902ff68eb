// Network and fault commands: deliver or drop messages, run to quiescence, partition and heal,
// crash and restart a node.
import { nodeSet, showSet } from "@adore/adore-core";
import { crash as crashNode, restart as restartNode, setPartition } from "../../../cluster.js";
import { showMessage } from "../../sim.js";
import { parseGroup } from "../args.js";
import type { Command } from "../session.js";

/** `deliver-msgs [N] [drop=(…)]` / `drop-msgs [N]`: one round of what is queued now (to N). */
export const deliverOrDrop: Command = (s, a, out, fail, name) => {
  const w = s.world(fail);
  const to = a.pos[0] === undefined ? undefined : s.node(w, a.pos[0], fail);
  const dropTo = nodeSet(a.ids("drop") ?? []);
  a.done(1);
  const round = w.cl.network.filter((m) => to === undefined || m.to === to);
  if (round.length === 0) out.push("no messages");
  for (const m of round) {
    const i = w.cl.network.indexOf(m);
    if (i < 0) continue; // lost meanwhile (its recipient crashed or was partitioned)
    if (name === "drop-msgs" || (dropTo & (1 << m.to)) !== 0) {
      out.push(`dropped: ${showMessage(m, s.show(w))}`);
      w.cl = { ...w.cl, network: w.cl.network.slice(0, i).concat(w.cl.network.slice(i + 1)) };
    } else s.deliverAt(w, i, out);
  }
};

/** Delivers messages (oldest first) until none is in flight, or `maxDeliveries` were made. */
export const stabilize: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  a.done(0);
  let n = 0;
  while (w.cl.network.length > 0) {
    if (n++ >= s.maxDeliveries) {
      out.push(`not stable after ${s.maxDeliveries} deliveries`);
      return;
    }
    s.deliverAt(w, 0, out);
  }
  if (n === 0) out.push("no messages");
};

/** `partition (1,2) (3,4,5)`: messages across groups are lost. */
export const partition: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  if (a.pos.length < 2) fail("expected at least two groups like (1,2) (3,4,5)");
  const groups = a.pos.map((g) => parseGroup(g, fail));
  a.done(a.pos.length);
  const lost = w.cl.network.length;
  w.cl = setPartition(w.cl, groups);
  out.push(`partition ${groups.map(showSet).join(" | ")} (${lost - w.cl.network.length} messages lost)`);
};

export const heal: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  a.done(0);
  w.cl = setPartition(w.cl, []);
  out.push("healed");
};

export const crash: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  if (!w.cl.nodes.get(id)!.up) fail(`node ${id} is already down`);
  const lost = w.cl.network.length;
  w.cl = crashNode(w.cl, id);
  out.push(`${id} down (${lost - w.cl.network.length} messages to it lost)`);
};

/** Restarts a crashed node from what it had persisted. */
export const restart: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  if (w.cl.nodes.get(id)!.up) fail(`node ${id} is up`);
  const r = restartNode(w.cl, id, w.params, s.show(w));
  w.cl = r.cluster;
  if (r.effect) s.effect(w, r.effect, out, "", false);
};
