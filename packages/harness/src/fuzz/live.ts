// Live-node fuzzing: hostile peer connections to a running node.
//
// Strangers (no secret, or not using it) open connections and send random or damaged streams,
// forged hellos, wrong or missing proofs, protocol messages without a handshake. An authenticated
// peer (it knows the cluster secret and claims a real peer id) streams mutated Raft messages —
// only ones the node must refuse: malformed by the core's validation, refused by admission, with a
// stale term, or on which the transport closes the connection (wrong sender, unknown type, bad
// frames). Well-formed current-term messages are never sent: an authenticated peer is trusted
// (Raft tolerates crashes, not lies), and the point is that hostile *input* changes nothing.
import { connect, type Socket } from "node:net";
import { validateMessage } from "@adore/raft-net";
import type { RegisteredScheme } from "@adore/schemes";
import { admitPeerMessage } from "@adore/runtime-node/internal";
import { ClusterSecret, newNonce } from "@adore/runtime-node/internal";
import { parseHostPort, PEER_PROTOCOL_VERSION } from "@adore/runtime-node";
import { MESSAGE_TYPE_SET } from "@adore/runtime-node/internal";
import { decode, encode } from "@adore/runtime-node";
import { encodeFrame, FrameDecoder, FrameError } from "@adore/runtime-node";
import { mutatedMessage } from "./messages.js";
import { FuzzRng, Outcomes } from "./rng.js";
import { nastyValue } from "./values.js";
import { wireInput } from "./wire.js";

export interface LiveFuzzOptions {
  /** The target node's peer address and id. */
  readonly peerAddr: string;
  readonly targetId: number;
  readonly clusterId: string;
  /** The cluster secret, to authenticate as `asPeer` (none: the cluster runs without one). */
  readonly secret?: string;
  /** A real peer id to claim. */
  readonly asPeer: number;
  /** The scheme (admission check) and configurations for config entries. */
  readonly reg: RegisteredScheme<unknown>;
  readonly seed: number;
  /** Unauthenticated connections, each with one hostile stream. */
  readonly strangers: number;
  /** Frames sent by the authenticated peer. */
  readonly peerFrames: number;
  /** The target's term when the run starts: messages below it are stale. */
  readonly term: number;
  readonly lastIndex: number;
  readonly commit: number;
  /** Connections at once (default 8). */
  readonly concurrency?: number;
}

const frame = (v: unknown): Buffer => encodeFrame(encode(v));

function safeFrame(r: FuzzRng, v: unknown): Buffer {
  try {
    return frame(v);
  } catch {
    return Buffer.from(wireInput(r));
  }
}

/** Opens a connection; resolves with the answers once the node closes it (or after `ms`). */
type Script = (answers: unknown[]) => { frames: Buffer[]; last: boolean } | undefined;

function exchange(
  addr: string,
  bytes: Script,
  ms: number,
): Promise<{ answers: unknown[]; closedByNode: boolean }> {
  const { host, port } = parseHostPort(addr);
  return new Promise((resolve) => {
    const answers: unknown[] = [];
    const dec = new FrameDecoder();
    const sock = connect({ host, port });
    let ended = false;
    const write = () => {
      const out = bytes(answers);
      if (out !== undefined) for (const b of out.frames) sock.write(b);
      if (out === undefined || out.last) {
        // hang up once the script is done: the node must not be left waiting for more bytes
        if (!ended) sock.end();
        ended = true;
      }
    };
    const t = setTimeout(() => {
      sock.destroy();
      resolve({ answers, closedByNode: false });
    }, ms);
    sock.on("connect", write);
    sock.on("data", (c: Buffer) => {
      for (const f of dec.push(c)) if (!(f instanceof FrameError)) answers.push(decode(f));
      if (!ended) write();
    });
    sock.on("error", () => undefined);
    sock.on("close", () => {
      clearTimeout(t);
      resolve({ answers, closedByNode: !ended });
    });
  });
}

/** One stranger's script: returns the frames to send given the answers so far (undefined: hang up). */
function strangerScript(r: FuzzRng, o: LiveFuzzOptions): Script {
  const hello = (extra: Record<string, unknown> = {}) => ({
    type: "hello",
    clusterId: o.clusterId,
    nodeId: o.asPeer,
    to: o.targetId,
    protocol: PEER_PROTOCOL_VERSION,
    ...extra,
  });
  const msg = () =>
    mutatedMessage(r, {
      self: o.targetId,
      peers: [o.asPeer],
      term: o.term + 5,
      lastIndex: o.lastIndex + 5,
      lastTerm: o.term + 5,
      commit: o.commit + 5,
      configs: [],
    });
  let step = 0;
  const once =
    (frames: Buffer[]): Script =>
    () =>
      step++ === 0 ? { frames, last: true } : undefined;
  switch (r.int(6)) {
    case 0: // raw bytes
      return once([Buffer.from(wireInput(r))]);
    case 1: // protocol messages, no hello (dangerous ones: future terms, entries)
      return once([safeFrame(r, msg()), safeFrame(r, msg())]);
    case 2: {
      // a forged hello: one field wrong or hostile
      const h: Record<string, unknown> = hello(r.chance(0.5) ? { nonce: newNonce() } : {});
      h[r.pick(["clusterId", "nodeId", "to", "protocol", "nonce", "type"])] = nastyValue(r);
      return once([safeFrame(r, h), safeFrame(r, msg())]);
    }
    case 3: // skips the proof: a message right after the hello
      return once([frame(hello({ nonce: newNonce() })), safeFrame(r, msg())]);
    default: {
      // answers the challenge with a wrong proof (random, another secret, nasty), then messages
      const nonce = newNonce();
      const forged = new ClusterSecret(`not-${o.secret ?? "it"}`);
      return (answers) => {
        if (step === 0) {
          step++;
          return { frames: [frame(hello({ nonce }))], last: false };
        }
        const ch = answers.find((a) => (a as { type?: unknown })?.type === "challenge") as
          | { nonce?: Uint8Array }
          | undefined;
        if (!ch || step > 1) return undefined;
        step++;
        const proof = r.pick([
          () => newNonce(),
          () => nastyValue(r),
          () =>
            forged.proof("dialer", {
              clusterId: o.clusterId,
              dialer: o.asPeer,
              acceptor: o.targetId,
              dialerNonce: nonce,
              acceptorNonce: ch.nonce ?? new Uint8Array(32),
            }),
        ])();
        return { frames: [safeFrame(r, { type: "auth", proof }), safeFrame(r, msg())], last: true };
      };
    }
  }
}

/** Is this message one the node must refuse (so sending it as an authenticated peer is fair)? */
function mustRefuse(o: LiveFuzzOptions, m: unknown): string | undefined {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "transport:not-an-object";
  const x = m as Record<string, unknown>;
  if (typeof x.type !== "string" || !MESSAGE_TYPE_SET.has(x.type)) return "transport:type";
  if (x.from !== o.asPeer) return "transport:sender";
  if (x.to !== o.targetId) return "transport:target";
  if (admitPeerMessage(o.reg, m) !== undefined) return "admission";
  const bad = validateMessage(m, o.targetId);
  if (bad) return `core:${bad.code}`;
  if (typeof x.term === "number" && x.term < o.term) return "core:stale-term";
  return undefined;
}

/**
 * An authenticated peer session: streams frames the node must refuse until the budget is spent or
 * a frame on which the transport closes the connection was sent (always the session's last frame,
 * so every frame sent is read by the node); then hangs up and resolves, with the frames sent, once
 * the connection is closed.
 */
function peerSession(
  o: LiveFuzzOptions,
  r: FuzzRng,
  budget: { left: number },
  out: Outcomes,
): Promise<number> {
  const { host, port } = parseHostPort(o.peerAddr);
  const secret = o.secret !== undefined ? new ClusterSecret(o.secret) : undefined;
  return new Promise((resolve) => {
    const sock: Socket = connect({ host, port });
    const dec = new FrameDecoder();
    const nonce = newNonce();
    let authed = false;
    let ended = false;
    let sent = 0;
    const hangUp = () => {
      if (ended) return;
      ended = true;
      sock.end();
    };
    const ctx = {
      self: o.targetId,
      peers: [o.asPeer],
      term: o.term,
      lastIndex: o.lastIndex,
      lastTerm: o.term,
      commit: o.commit,
      configs: [],
    };
    const pump = () => {
      while (!ended && budget.left > 0) {
        let bytes: Buffer | undefined;
        let closing = false;
        if (r.chance(0.005)) {
          bytes = Buffer.from(wireInput(r)); // junk: the transport may close the connection on it
          out.add("peer:junk-frame");
          closing = true;
        } else {
          for (let k = 0; k < 20 && bytes === undefined; k++) {
            const m = mutatedMessage(r, ctx);
            if (r.chance(0.97) && typeof m === "object" && m !== null && !Array.isArray(m)) {
              // keep the type, the sender and the recipient right most of the time, so the core sees it
              const x = m as Record<string, unknown>;
              if (typeof x.type !== "string" || !MESSAGE_TYPE_SET.has(x.type)) x.type = "AppendEntries";
              x.from = o.asPeer;
              x.to = o.targetId;
            }
            const why = mustRefuse(o, m);
            if (!why) continue;
            out.add(`peer:${why}`);
            closing = why.startsWith("transport:");
            bytes = safeFrame(r, m);
          }
          if (bytes === undefined) {
            out.add("peer:skipped-well-formed");
            budget.left--;
            continue;
          }
        }
        budget.left--;
        out.inputs++;
        sent++;
        const flowing = sock.write(bytes);
        if (closing) return hangUp();
        if (!flowing) {
          sock.once("drain", pump);
          return;
        }
      }
      if (budget.left <= 0) hangUp();
    };
    sock.on("connect", () => {
      sock.write(
        frame({
          type: "hello",
          clusterId: o.clusterId,
          nodeId: o.asPeer,
          to: o.targetId,
          protocol: PEER_PROTOCOL_VERSION,
          ...(secret ? { nonce } : {}),
        }),
      );
      if (!secret) {
        authed = true;
        pump();
      }
    });
    sock.on("data", (c: Buffer) => {
      for (const f of dec.push(c)) {
        if (f instanceof FrameError) return sock.destroy();
        const v = decode(f) as { type?: unknown; nonce?: unknown; proof?: unknown };
        if (secret && !authed && v?.type === "challenge" && v.nonce instanceof Uint8Array) {
          sock.write(
            frame({
              type: "auth",
              proof: secret.proof("dialer", {
                clusterId: o.clusterId,
                dialer: o.asPeer,
                acceptor: o.targetId,
                dialerNonce: nonce,
                acceptorNonce: v.nonce,
              }),
            }),
          );
        } else if (secret && !authed && v?.type === "helloOk") {
          authed = true;
          out.add("peer:authenticated");
          pump();
        } else if (v?.type === "helloReject") {
          out.add(authed ? "peer:closed-with-reason" : "peer:REFUSED");
        }
      }
    });
    sock.on("error", () => undefined);
    sock.on("close", () => {
      out.add(ended ? "peer:session-done" : "peer:closed-by-node");
      resolve(sent);
    });
  });
}

/** Runs the strangers and the authenticated peer against a live node; returns the outcome counts. */
export async function fuzzLiveNode(o: LiveFuzzOptions): Promise<Outcomes> {
  const out = new Outcomes();
  const r = new FuzzRng(o.seed);
  const conc = o.concurrency ?? 8;
  let next = 0;
  const worker = async (wr: FuzzRng) => {
    while (next < o.strangers) {
      next++;
      out.inputs++;
      const res = await exchange(o.peerAddr, strangerScript(wr, o), 6000);
      for (const a of res.answers) {
        const t = (a as { type?: unknown })?.type;
        const reason = (a as { reason?: unknown }).reason;
        if (t === "helloReject") out.add(`stranger:refused:${typeof reason === "string" ? reason : "?"}`);
        else if (t === "helloOk") out.add("stranger:ACCEPTED");
        else if (t === "challenge") out.add("stranger:challenged");
      }
      out.add(res.closedByNode ? "stranger:closed-by-node" : "stranger:done");
    }
  };
  const peer = async (pr: FuzzRng) => {
    const budget = { left: o.peerFrames };
    let idle = 0;
    while (budget.left > 0 && idle < 20) {
      const sent = await peerSession(o, pr, budget, out);
      out.add("peer:sessions");
      idle = sent === 0 ? idle + 1 : 0;
    }
  };
  await Promise.all([...Array.from({ length: conc }, () => worker(r.fork())), peer(r.fork())]);
  return out;
}
