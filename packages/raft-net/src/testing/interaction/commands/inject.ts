// Message injection: `inject-msg N vote|pre-vote|app|app-resp|timeout-now [from=] [to=] [term=] …`
// hands node N a message no server sent (stale, forged or out of order).
import type { Message } from "../../../types.js";
import { showMessage } from "../../sim.js";
import type { Command } from "../session.js";

export const injectMsg: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  const type = a.pos[1];
  const server = w.cl.nodes.get(id)!.server;
  const from = a.int("from", 1);
  const to = a.int("to", id);
  const term = a.int("term", server.term);
  const pair = (key: string): [number, number] => {
    const v = a.opt(key);
    if (v === undefined) return [0, 0];
    const m = /^(\d+)\/(\d+)$/.exec(v);
    if (!m) return fail(`${key}=${v}: expected term/index`);
    return [Number(m[1]), Number(m[2])];
  };
  let msg: Message<unknown>;
  switch (type) {
    case "vote":
    case "pre-vote": {
      const [lt, li] = pair("last");
      msg = {
        type: "RequestVote",
        from,
        to,
        term,
        lastLogTerm: lt,
        lastLogIndex: li,
        preVote: type === "pre-vote",
        transfer: a.bool("transfer", false),
      };
      break;
    }
    case "app": {
      const [pt, pi] = pair("prev");
      msg = {
        type: "AppendEntries",
        from,
        to,
        term,
        prevLogTerm: pt,
        prevLogIndex: pi,
        entries: [],
        leaderCommit: a.int("commit", 0),
        readSeq: 0,
      };
      break;
    }
    case "app-resp":
      msg = {
        type: "AppendEntriesResponse",
        from,
        to,
        term,
        success: true,
        matchIndex: a.int("match", 0),
        rejectIndex: 0,
        hintTerm: 0,
        hintIndex: 0,
        readSeq: 0,
      };
      break;
    case "timeout-now":
      msg = { type: "TimeoutNow", from, to, term };
      break;
    default:
      return fail(
        `message type ${JSON.stringify(type)}: expected vote, pre-vote, app, app-resp or timeout-now`,
      );
  }
  a.done(2);
  out.push(`inject ${showMessage(msg, s.show(w))}`);
  s.step(w, id, { type: "receive", msg }, out);
};
