// Peer transport over TCP: length-prefixed frames (wire/frame.ts) carrying codec-encoded values.
//
// Each node listens on its peer port for inbound connections and keeps one outbound connection
// per peer, opened on demand and re-opened with exponential backoff. Raft messages flow only from
// the connecting side to the accepting side (the inbound side sends nothing but the handshake
// answer), so each direction of a pair of nodes has its own connection.
//
// Handshake: the connecting side's first frame is {type:"hello", clusterId, nodeId, to, protocol};
// the accepting side answers {type:"helloOk"} or {type:"helloReject", reason, detail} and closes.
// Anything hostile (a bad frame, undecodable bytes, an unknown type, a wrong version, an unknown
// or lying peer id) closes that one connection with a log line; the node keeps serving.
//
// Outbound queues are bounded: past `queueLimit` frames (or `queueBytes`), the oldest queued
// messages are dropped. Raft tolerates message loss, never unbounded memory.

import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { Message } from "@adore/raft-net";
import { type ClusterSecret, isNonce, newNonce } from "../auth/peer-auth.js";
import { CodecError, decode, encode } from "../wire/codec.js";
import { encodeFrame, FrameDecoder, FrameError } from "../wire/frame.js";
import type { Logger } from "./log.js";

/** Version of the peer protocol (the hello handshake and the message shapes). */
export const PEER_PROTOCOL_VERSION = 1;
/** Largest peer frame: snapshots travel in one InstallSnapshot message. */
export const PEER_MAX_FRAME = 256 * 1024 * 1024;

/** The Raft message types peers exchange. */
export const MESSAGE_TYPES = [
  "RequestVote",
  "RequestVoteResponse",
  "AppendEntries",
  "AppendEntriesResponse",
  "InstallSnapshot",
  "TimeoutNow",
] as const;
export const MESSAGE_TYPE_SET: ReadonlySet<string> = new Set(MESSAGE_TYPES);

export type PeerRejectReason =
  | "BadFrame"
  | "BadPayload"
  | "NoHello"
  | "ClusterMismatch"
  | "ProtocolMismatch"
  | "UnknownPeer"
  | "WrongTarget"
  | "UnknownType"
  | "WrongSender"
  | "HandshakeTimeout"
  /** A cluster secret is configured on one side and the other did not take part in the challenge. */
  | "AuthRequired"
  /** The other side's proof of the cluster secret was wrong (or missing). */
  | "AuthFailed";

/** Why a peer connection was refused or closed (logged, counted, and reported to `onReject`). */
export interface PeerRejection {
  readonly reason: PeerRejectReason;
  readonly detail: string;
  /** inbound: we closed a connection we accepted; outbound: the peer refused our hello. */
  readonly side: "inbound" | "outbound";
  readonly peer: number | undefined;
  readonly remote: string;
}

export interface TransportOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly listenHost: string;
  /** 0: an ephemeral port (see `address` after start). */
  readonly listenPort: number;
  /** The peer address ("host:port") of a node, if known. */
  readonly resolve: (id: number) => string | undefined;
  /** May this node id connect to us? */
  readonly isKnownPeer: (id: number) => boolean;
  readonly onMessage: (msg: Message<unknown>) => void;
  readonly onReject?: (r: PeerRejection) => void;
  readonly logger: Logger;
  /** Most frames queued per peer (default 4096). */
  readonly queueLimit?: number;
  /** Most bytes queued per peer (default 64 MiB). */
  readonly queueBytes?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  readonly handshakeTimeoutMs?: number;
  /**
   * The cluster secret: with it, both sides of every connection prove knowledge of it (HMAC
   * challenge–response bound to the node ids, the cluster id and fresh nonces, src/auth) before any
   * protocol message is processed. Without it, the hello alone admits a known peer id.
   */
  readonly secret?: ClusterSecret;
}

/** A short description of an untrusted value for logs; never throws (String() can, on hostile objects). */
export function show(v: unknown): string {
  try {
    if (typeof v === "string") return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
    if (v === null || typeof v === "number" || typeof v === "boolean" || v === undefined) return String(v);
    if (typeof v === "bigint") return `${v.toString()}n`;
    if (v instanceof Uint8Array) return `<${v.length} bytes>`;
    if (Array.isArray(v)) return `<array of ${v.length}>`;
    return `<${typeof v}>`;
  } catch {
    return "<unprintable>";
  }
}

export interface TransportStats {
  sent: number;
  received: number;
  dropped: number;
  connects: number;
  rejected: number;
}

export function parseHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  const host = i > 0 ? addr.slice(0, i).replace(/^\[(.*)\]$/, "$1") : "127.0.0.1";
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad address ${addr}`);
  return { host, port };
}

function frameOf(value: unknown): Buffer {
  return encodeFrame(encode(value), { maxFrameSize: PEER_MAX_FRAME });
}

/** The outbound side of one peer: a queue and (when connected) a socket. */
class PeerLink {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private socket: Socket | undefined;
  private ready = false;
  private blocked = false;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private connectedAddr: string | undefined;

  constructor(
    readonly peer: number,
    private readonly t: PeerTransport,
  ) {
    this.backoff = t.backoffInitial;
  }

  enqueue(frame: Buffer): void {
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    while (this.queue.length > this.t.queueLimit || this.queuedBytes > this.t.queueBytes) {
      const old = this.queue.shift()!;
      this.queuedBytes -= old.length;
      this.t.stats.dropped++;
    }
  }

  flush(): void {
    if (this.closed) return;
    if (!this.socket) {
      if (!this.timer) this.connect();
      return;
    }
    if (!this.ready || this.blocked || this.queue.length === 0) return;
    const buf = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
    this.t.stats.sent += this.queue.length;
    this.queue = [];
    this.queuedBytes = 0;
    if (!this.socket.write(buf)) {
      this.blocked = true;
      this.socket.once("drain", () => {
        this.blocked = false;
        this.flush();
      });
    }
  }

  private connect(): void {
    if (this.closed || this.socket) return;
    const addr = this.t.opts.resolve(this.peer);
    if (!addr) {
      this.retryLater();
      return;
    }
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseHostPort(addr));
    } catch {
      this.retryLater();
      return;
    }
    const sock = tcpConnect({ host, port });
    sock.setNoDelay(true);
    this.socket = sock;
    this.connectedAddr = addr;
    const decoder = new FrameDecoder({ maxFrameSize: 64 * 1024 });
    const secret = this.t.opts.secret;
    const nonce = secret ? newNonce() : undefined;
    let challenge: Uint8Array | undefined;
    const binding = () => ({
      clusterId: this.t.opts.clusterId,
      dialer: this.t.opts.nodeId,
      acceptor: this.peer,
      dialerNonce: nonce!,
      acceptorNonce: challenge!,
    });
    const refused = (reason: PeerRejectReason, detail: string) => {
      this.t.rejected({ reason, detail, side: "outbound", peer: this.peer, remote: addr });
      // a refusal is not transient: wait the longest backoff before trying again
      this.backoff = this.t.backoffMax;
      sock.destroy();
    };
    const connectTimer = setTimeout(() => sock.destroy(new Error("connect timeout")), 3000);
    sock.on("connect", () => {
      clearTimeout(connectTimer);
      this.t.stats.connects++;
      sock.write(
        frameOf({
          type: "hello",
          clusterId: this.t.opts.clusterId,
          nodeId: this.t.opts.nodeId,
          to: this.peer,
          protocol: PEER_PROTOCOL_VERSION,
          ...(nonce ? { nonce } : {}),
        }),
      );
      if (secret) return; // messages wait until the peer has proved the secret (helloOk)
      // messages may follow the hello at once: the peer reads them only after accepting it
      this.ready = true;
      this.flush();
    });
    sock.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f instanceof FrameError) {
          sock.destroy();
          return;
        }
        const v = decode(f) as { type?: unknown; reason?: unknown; detail?: unknown } | CodecError;
        if (v instanceof CodecError || typeof v !== "object" || v === null) {
          sock.destroy();
          return;
        }
        if (v.type === "challenge") {
          if (!secret || !nonce)
            return refused("AuthRequired", "the peer requires a cluster secret and none is configured here");
          const n = (v as { nonce?: unknown }).nonce;
          if (this.ready || challenge !== undefined || !isNonce(n))
            return refused("AuthFailed", "unexpected or malformed challenge");
          challenge = n;
          sock.write(frameOf({ type: "auth", proof: secret.proof("dialer", binding()) }));
        } else if (v.type === "helloOk") {
          if (secret && !this.ready) {
            if (challenge === undefined)
              return refused(
                "AuthFailed",
                "the peer accepted without a challenge (it has no cluster secret)",
              );
            if (!secret.verify("acceptor", binding(), (v as { proof?: unknown }).proof))
              return refused("AuthFailed", "the peer did not prove knowledge of the cluster secret");
            this.ready = true;
            this.flush();
          }
          this.backoff = this.t.backoffInitial;
        } else if (v.type === "helloReject") {
          const r: PeerRejection = {
            reason: (typeof v.reason === "string" ? v.reason : show(v.reason)) as PeerRejectReason,
            detail: typeof v.detail === "string" ? v.detail : show(v.detail),
            side: "outbound",
            peer: this.peer,
            remote: addr,
          };
          this.t.rejected(r);
          // a refusal is not transient: wait the longest backoff before trying again
          this.backoff = this.t.backoffMax;
          sock.destroy();
          return;
        }
      }
    });
    sock.on("error", (e) => {
      this.t.opts.logger.debug({ peer: this.peer, addr, err: e.message }, "peer connection error");
    });
    sock.on("close", () => {
      clearTimeout(connectTimer);
      if (this.socket === sock) {
        this.socket = undefined;
        this.ready = false;
        this.blocked = false;
        this.retryLater();
      }
    });
  }

  private retryLater(): void {
    if (this.closed || this.timer) return;
    const delay = this.backoff * (0.75 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, this.t.backoffMax);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.queue.length > 0) this.connect();
    }, delay);
  }

  /** The peer's address changed: drop the current connection. */
  readdress(): void {
    if (this.socket && this.connectedAddr !== this.t.opts.resolve(this.peer)) this.socket.destroy();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    this.queue = [];
  }
}

export class PeerTransport {
  readonly stats: TransportStats = { sent: 0, received: 0, dropped: 0, connects: 0, rejected: 0 };
  readonly queueLimit: number;
  readonly queueBytes: number;
  readonly backoffInitial: number;
  readonly backoffMax: number;
  private readonly links = new Map<number, PeerLink>();
  private readonly inbound = new Set<Socket>();
  private server: Server | undefined;
  private closed = false;
  private addr: { host: string; port: number } | undefined;

  constructor(readonly opts: TransportOptions) {
    this.queueLimit = opts.queueLimit ?? 4096;
    this.queueBytes = opts.queueBytes ?? 64 * 1024 * 1024;
    this.backoffInitial = opts.backoffInitialMs ?? 25;
    this.backoffMax = opts.backoffMaxMs ?? 1000;
  }

  /** The bound peer address (after start). */
  get address(): { host: string; port: number } {
    if (!this.addr) throw new Error("transport not started");
    return this.addr;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.listenPort, this.opts.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (e) => this.opts.logger.error({ err: e.message }, "peer listener error"));
    const a = server.address();
    if (a === null || typeof a === "string") throw new Error("peer listener has no TCP address");
    this.addr = { host: a.address, port: a.port };
    return this.addr;
  }

  /** Queues messages for their recipients and writes what can be written now. */
  send(msgs: readonly Message<unknown>[]): void {
    if (this.closed || msgs.length === 0) return;
    const touched = new Set<PeerLink>();
    for (const m of msgs) {
      if (m.to === this.opts.nodeId) continue;
      let link = this.links.get(m.to);
      if (!link) {
        link = new PeerLink(m.to, this);
        this.links.set(m.to, link);
      }
      link.enqueue(frameOf(m));
      touched.add(link);
    }
    for (const l of touched) l.flush();
  }

  /** A peer's address may have changed (membership/directory update). */
  readdress(id: number): void {
    this.links.get(id)?.readdress();
  }

  /** Stops talking to a peer (it left the cluster). */
  forget(id: number): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  rejected(r: PeerRejection): void {
    this.stats.rejected++;
    this.opts.logger.warn(
      { side: r.side, peer: r.peer, remote: r.remote, reason: r.reason, detail: r.detail },
      "peer connection rejected",
    );
    this.opts.onReject?.(r);
  }

  private accept(sock: Socket): void {
    if (this.closed) {
      sock.destroy();
      return;
    }
    this.inbound.add(sock);
    sock.setNoDelay(true);
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    const decoder = new FrameDecoder({ maxFrameSize: PEER_MAX_FRAME });
    let peer: number | undefined;
    /** With a secret: the hello was accepted, the dialer's proof is awaited. */
    let pending: { id: number; nonce: Uint8Array; challenge: Buffer } | undefined;
    const secret = this.opts.secret;
    const hsTimeoutMs = this.opts.handshakeTimeoutMs ?? 5000;
    let hsTimer: NodeJS.Timeout | undefined = setTimeout(
      () => refuse("HandshakeTimeout", `no hello within ${hsTimeoutMs} ms`),
      hsTimeoutMs,
    );
    const refuse = (reason: PeerRejectReason, detail: string, answer = false) => {
      if (hsTimer) clearTimeout(hsTimer);
      hsTimer = undefined;
      this.rejected({ reason, detail, side: "inbound", peer: peer ?? pending?.id, remote });
      if (answer && !sock.destroyed) sock.end(frameOf({ type: "helloReject", reason, detail }));
      else sock.destroy();
      // end() lets the answer out; make sure the socket goes away even if the peer never reads
      setTimeout(() => sock.destroy(), 1000).unref();
    };
    sock.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (sock.destroyed || sock.writableEnded) return;
        if (f instanceof FrameError) return refuse("BadFrame", f.message);
        const v = decode(f);
        if (v instanceof CodecError) return refuse("BadPayload", v.message);
        if (typeof v !== "object" || v === null || Array.isArray(v))
          return refuse("BadPayload", "a frame must hold an object");
        const o = v as Record<string, unknown>;
        if (peer === undefined && pending !== undefined && secret) {
          // the hello was accepted; nothing but the proof is read before authentication
          if (o.type !== "auth")
            return refuse(
              "AuthRequired",
              `expected the auth proof, got a frame of type ${show(o.type)}`,
              true,
            );
          const binding = {
            clusterId: this.opts.clusterId,
            dialer: pending.id,
            acceptor: this.opts.nodeId,
            dialerNonce: pending.nonce,
            acceptorNonce: pending.challenge,
          };
          if (!secret.verify("dialer", binding, o.proof))
            return refuse(
              "AuthFailed",
              `node ${pending.id} did not prove knowledge of the cluster secret`,
              true,
            );
          peer = pending.id;
          pending = undefined;
          clearTimeout(hsTimer);
          hsTimer = undefined;
          sock.write(frameOf({ type: "helloOk", proof: secret.proof("acceptor", binding) }));
          continue;
        }
        if (peer === undefined) {
          if (o.type !== "hello") return refuse("NoHello", `first frame has type ${show(o.type)}`, true);
          if (o.protocol !== PEER_PROTOCOL_VERSION)
            return refuse(
              "ProtocolMismatch",
              `protocol ${show(o.protocol)}, this node speaks ${PEER_PROTOCOL_VERSION}`,
              true,
            );
          if (o.clusterId !== this.opts.clusterId)
            return refuse(
              "ClusterMismatch",
              `cluster ${show(o.clusterId)}, this node is in ${JSON.stringify(this.opts.clusterId)}`,
              true,
            );
          const id = o.nodeId;
          if (
            typeof id !== "number" ||
            !Number.isInteger(id) ||
            !this.opts.isKnownPeer(id) ||
            id === this.opts.nodeId
          )
            return refuse("UnknownPeer", `node id ${show(id)} is not a known peer`, true);
          if (o.to !== this.opts.nodeId)
            return refuse(
              "WrongTarget",
              `hello addressed to node ${show(o.to)}, this is ${this.opts.nodeId}`,
              true,
            );
          if (secret) {
            if (!isNonce(o.nonce))
              return refuse(
                "AuthRequired",
                `node ${id} sent no handshake nonce; this node requires the cluster secret`,
                true,
              );
            const challenge = newNonce();
            pending = { id, nonce: Buffer.from(o.nonce), challenge };
            sock.write(frameOf({ type: "challenge", nonce: challenge }));
            continue;
          }
          peer = id;
          clearTimeout(hsTimer);
          hsTimer = undefined;
          sock.write(frameOf({ type: "helloOk" }));
          continue;
        }
        if (typeof o.type !== "string" || !MESSAGE_TYPE_SET.has(o.type))
          return refuse("UnknownType", `message type ${show(o.type)}`);
        if (o.from !== peer)
          return refuse("WrongSender", `message from ${show(o.from)} on node ${peer}'s connection`);
        if (o.to !== this.opts.nodeId) return refuse("WrongTarget", `message to ${show(o.to)}`);
        this.stats.received++;
        this.opts.onMessage(o as unknown as Message<unknown>);
      }
    });
    sock.on("end", () => {
      const e = decoder.end();
      if (e && peer !== undefined) this.opts.logger.debug({ peer, err: e.message }, "peer stream cut");
      sock.end();
    });
    sock.on("error", (e) => this.opts.logger.debug({ remote, err: e.message }, "inbound peer socket error"));
    sock.on("close", () => {
      if (hsTimer) clearTimeout(hsTimer);
      this.inbound.delete(sock);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.links.values()) l.close();
    this.links.clear();
    for (const s of this.inbound) s.destroy();
    this.inbound.clear();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
