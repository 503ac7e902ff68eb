// AdoreClient: talks to a cluster through any of its nodes' client addresses, follows NotLeader
// redirects, and retries with backoff. A write keeps its (clientId, seq) across retries, so the
// service applies it at most once. Concurrent writes use separate sessions from a pool
// (`<clientId>/<k>`): the state machine keeps one outstanding seq per session.

import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { CLIENT_AUTH_ID, CLIENT_AUTH_OP, UNAUTHENTICATED } from "../auth/client-auth.js";
import { CodecError, decode, encode } from "../wire/codec.js";
import { encodeFrame, FrameDecoder, FrameError } from "../wire/frame.js";
import { AdoreError, type WireError } from "./errors.js";
import {
  CLIENT_MAX_FRAME,
  type ClientOp,
  type ClientRequest,
  type ClientResponse,
  type MemberChangeResult,
  type MemberList,
  type MemberUpdateResult,
  type NodeStatus,
  type PeerAddress,
} from "./protocol.js";

export interface AdoreClientOptions {
  /** Client addresses ("host:port") of some of the cluster's nodes. */
  readonly endpoints: readonly string[];
  /** Session id prefix (default: random). */
  readonly clientId?: string;
  /** How long one attempt waits for its answer (default 3000 ms). */
  readonly attemptTimeoutMs?: number;
  /** How long a request may take over all its retries (default 15 000 ms). */
  readonly timeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** The cluster's client token (sent as the first frame of every connection). */
  readonly token?: string;
  /** Connect over TLS, trusting `ca` (PEM) — for a self-signed or private CA certificate. */
  readonly tls?: ClientTlsOptions;
}

export interface ClientTlsOptions {
  /** Trusted CA certificates (PEM); default: Node's bundled roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Server name to verify (default: the endpoint's host). */
  readonly servername?: string;
}

interface ConnectionSecurity {
  readonly token?: string;
  readonly tls?: ClientTlsOptions;
}

export interface PutResult {
  readonly prev: string | null;
}
export interface CasResult {
  readonly swapped: boolean;
  readonly current: string | null;
}
export interface RangeResult {
  readonly items: ReadonlyArray<readonly [string, string]>;
  readonly more: boolean;
}

interface Waiting {
  readonly resolve: (r: ClientResponse) => void;
  readonly reject: (e: AdoreError) => void;
  readonly timer: NodeJS.Timeout;
}

/** One TCP connection to one node; requests are multiplexed by id. */
class Connection {
  private readonly waiting = new Map<number, Waiting>();
  private readonly socket: Socket;
  private readonly ready: Promise<void>;
  dead = false;

  /** Set when the node refused our token: requests fail with it, not retried. */
  private refusal: AdoreError | undefined;

  constructor(
    readonly addr: string,
    sec: ConnectionSecurity = {},
  ) {
    const i = addr.lastIndexOf(":");
    const host = i > 0 ? addr.slice(0, i).replace(/^\[(.*)\]$/, "$1") : "127.0.0.1";
    const port = Number(addr.slice(i + 1));
    const tls = sec.tls;
    const sock = tls
      ? tlsConnect({
          host,
          port,
          ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        })
      : connect({ host, port });
    sock.setNoDelay(true);
    this.socket = sock;
    const decoder = new FrameDecoder({ maxFrameSize: CLIENT_MAX_FRAME });
    this.ready = new Promise<void>((resolve, reject) => {
      sock.once(tls ? "secureConnect" : "connect", () => {
        // the token goes first; the node reads requests only after accepting it
        if (sec.token !== undefined)
          sock.write(
            encodeFrame(encode({ id: CLIENT_AUTH_ID, op: CLIENT_AUTH_OP, token: sec.token }), {
              maxFrameSize: CLIENT_MAX_FRAME,
            }),
          );
        resolve();
      });
      sock.once("error", (e) => reject(new AdoreError("Unavailable", `${addr}: ${e.message}`)));
    });
    this.ready.catch(() => undefined);
    sock.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f instanceof FrameError) return this.kill(`bad frame from ${addr}: ${f.message}`);
        const v = decode(f);
        if (v instanceof CodecError) return this.kill(`bad response from ${addr}: ${v.message}`);
        if (typeof v !== "object" || v === null) return this.kill(`bad response from ${addr}: not an object`);
        const r = v as ClientResponse;
        if (!r.ok && r.error?.code === UNAUTHENTICATED) {
          // refused for a missing or wrong token: not retryable, whichever request carried it
          this.refusal = new AdoreError(UNAUTHENTICATED, `${addr}: ${String(r.error.message)}`);
          return this.kill(r.error.message);
        }
        const w = this.waiting.get(r.id);
        if (!w) continue;
        this.waiting.delete(r.id);
        clearTimeout(w.timer);
        w.resolve(r);
      }
    });
    sock.on("error", () => undefined);
    sock.on("close", () => this.kill(`connection to ${addr} closed`));
  }

  private kill(why: string): void {
    this.dead = true;
    this.socket.destroy();
    const err = this.refusal ?? new AdoreError("Unavailable", why);
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiting.clear();
  }

  /** Sends one request; rejects with Unavailable (not sent / connection lost) or Timeout. */
  async request(req: ClientRequest, timeoutMs: number): Promise<ClientResponse> {
    await this.ready;
    if (this.dead)
      throw this.refusal ?? new AdoreError("Unavailable", `connection to ${this.addr} is closed`);
    return new Promise<ClientResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(req.id);
        reject(new AdoreError("Timeout", `${req.op} to ${this.addr}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(req.id, { resolve, reject, timer });
      this.socket.write(encodeFrame(encode(req), { maxFrameSize: CLIENT_MAX_FRAME }));
    });
  }

  close(): void {
    this.kill("client closed");
  }
}

/** Which failures a request may be retried after. */
type RetryPolicy = "write" | "read" | "admin";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AdoreClient {
  readonly clientId: string;
  private readonly endpoints: string[];
  private current = 0;
  private readonly conns = new Map<string, Connection>();
  private nextId = 1;
  private readonly sessions: Array<{ id: string; seq: number }> = [];
  private sessionCount = 0;
  private closed = false;
  private readonly attemptTimeout: number;
  private readonly timeout: number;
  private readonly backoffInitial: number;
  private readonly backoffMax: number;
  private readonly security: ConnectionSecurity;
  /** Counters of what the client did (for tests and benchmarks). */
  readonly stats = { requests: 0, attempts: 0, redirects: 0, retries: 0 };

  constructor(opts: AdoreClientOptions) {
    if (opts.endpoints.length === 0) throw new RangeError("AdoreClient needs at least one endpoint");
    this.endpoints = [...opts.endpoints];
    this.clientId = opts.clientId ?? `c-${randomBytes(6).toString("hex")}`;
    this.attemptTimeout = opts.attemptTimeoutMs ?? 3000;
    this.timeout = opts.timeoutMs ?? 15_000;
    this.backoffInitial = opts.backoffInitialMs ?? 20;
    this.backoffMax = opts.backoffMaxMs ?? 500;
    this.security = {
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // key-value

  async get(key: string): Promise<string | null> {
    return ((await this.call("get", { key }, "read")) as { value: string | null }).value;
  }
  put(key: string, value: string): Promise<PutResult> {
    return this.write("put", { key, value }) as Promise<PutResult>;
  }
  del(key: string): Promise<PutResult> {
    return this.write("del", { key }) as Promise<PutResult>;
  }
  /** Sets `key` to `value` iff its value is `expected` (null: absent). */
  cas(key: string, expected: string | null, value: string): Promise<CasResult> {
    return this.write("cas", { key, expected, value }) as Promise<CasResult>;
  }
  range(prefix: string, limit = 100): Promise<RangeResult> {
    return this.write("range", { prefix, limit }) as Promise<RangeResult>;
  }

  /**
   * Sends a write with an explicit session: the same (clientId, seq) sent twice applies once.
   * (The other write methods manage sessions themselves.)
   */
  writeWithSession(
    op: "put" | "del" | "cas" | "range",
    fields: Partial<ClientRequest>,
    clientId: string,
    seq: number,
  ): Promise<unknown> {
    return this.call(op, { ...fields, clientId, seq }, "write");
  }

  // -------------------------------------------------------------------------------------------
  // administration

  status(): Promise<NodeStatus> {
    return this.call("status", {}, "read") as Promise<NodeStatus>;
  }
  /** Status of the node at `addr` specifically (no redirect). */
  async statusOf(addr: string): Promise<NodeStatus> {
    const r = await this.conn(addr).request({ id: this.nextId++, op: "status" }, this.attemptTimeout);
    if (!r.ok) throw AdoreError.fromWire(r.error);
    return r.result as NodeStatus;
  }
  members(): Promise<MemberList> {
    return this.call("member-list", {}, "read") as Promise<MemberList>;
  }
  /**
   * Adds a voter. Refused (AlreadyMember) for a voter; for a node the leader has not seen catch up
   * (NotCaughtUp) unless `force`. The third argument may be the CAS index alone.
   */
  addMember(
    node: number,
    addr?: PeerAddress,
    opts: number | MemberChangeOptions = {},
  ): Promise<MemberChangeResult> {
    return this.change("member-add", { node, ...addr, ...changeOpts(opts) });
  }
  /** Adds a learner (AlreadyMember for a voter or a learner). */
  addLearner(node: number, addr?: PeerAddress, opts: number | MemberChangeOptions = {}) {
    return this.change("member-learner", { node, ...addr, ...changeOpts(opts) });
  }
  promote(node: number, opts: number | MemberChangeOptions = {}) {
    return this.change("member-promote", { node, ...changeOpts(opts) });
  }
  removeMember(node: number, opts: number | MemberChangeOptions = {}) {
    return this.change("member-remove", { node, ...changeOpts(opts) });
  }
  /** Any configuration in the scheme's syntax, e.g. "{1,2,3}" or "({1,2,3},{3,4,5})". */
  setConfig(config: string, opts: MemberChangeOptions & { learners?: number[] } = {}) {
    return this.change("member-set", {
      config,
      ...(opts.learners ? { learners: opts.learners } : {}),
      ...changeOpts(opts),
    });
  }
  /** Changes a known node's addresses (NotMember for an unknown id, AddressInUse for another node's). */
  updateMember(node: number, addr: PeerAddress): Promise<MemberUpdateResult> {
    return this.call("member-update", { node, ...addr }, "admin") as Promise<MemberUpdateResult>;
  }
  transfer(node: number) {
    return this.call("transfer", { node }, "admin");
  }

  close(): void {
    this.closed = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  // -------------------------------------------------------------------------------------------

  private async write(op: ClientOp, fields: Partial<ClientRequest>): Promise<unknown> {
    const s = this.sessions.pop() ?? { id: `${this.clientId}/${this.sessionCount++}`, seq: 0 };
    s.seq += 1;
    try {
      return await this.call(op, { ...fields, clientId: s.id, seq: s.seq }, "write");
    } finally {
      this.sessions.push(s);
    }
  }

  private change(op: ClientOp, fields: Partial<ClientRequest>): Promise<MemberChangeResult> {
    return this.call(op, fields, "admin") as Promise<MemberChangeResult>;
  }

  private conn(addr: string): Connection {
    let c = this.conns.get(addr);
    if (!c || c.dead) {
      c = new Connection(addr, this.security);
      this.conns.set(addr, c);
    }
    return c;
  }

  private async call(op: ClientOp, fields: Partial<ClientRequest>, policy: RetryPolicy): Promise<unknown> {
    if (this.closed) throw new AdoreError("Unavailable", "client closed");
    this.stats.requests++;
    const deadline = Date.now() + this.timeout;
    let backoff = this.backoffInitial;
    let last: AdoreError | undefined;
    let redirects = 0;
    for (;;) {
      if (this.closed) throw new AdoreError("Unavailable", "client closed");
      const addr = this.endpoints[this.current % this.endpoints.length]!;
      const req = { ...fields, id: this.nextId++, op } as ClientRequest;
      this.stats.attempts++;
      let err: AdoreError;
      try {
        const r = await this.conn(addr).request(
          req,
          Math.max(1, Math.min(this.attemptTimeout, deadline - Date.now())),
        );
        if (r.ok) return r.result;
        err = AdoreError.fromWire(r.error as WireError);
      } catch (e) {
        err = e instanceof AdoreError ? e : new AdoreError("Unavailable", String(e));
      }
      last = err;
      if (err.code === "NotLeader") {
        const hint = err.leader?.clientAddr;
        if (hint && hint !== addr && redirects < 3) {
          // follow the redirect at once
          let i = this.endpoints.indexOf(hint);
          if (i < 0) i = this.endpoints.push(hint) - 1;
          this.current = i;
          redirects++;
          this.stats.redirects++;
          continue;
        }
        this.current++;
      } else if (err.code === "Unavailable" || err.code === "Timeout") {
        // admin ops are not idempotent: after a timeout their outcome is unknown
        if (err.code === "Timeout" && policy === "admin") throw err;
        this.current++;
      } else if (!err.retryable) throw err;
      redirects = 0;
      if (Date.now() + backoff >= deadline) throw last;
      this.stats.retries++;
      await sleep(backoff * (0.5 + Math.random() * 0.5));
      backoff = Math.min(backoff * 2, this.backoffMax);
    }
  }
}

export interface MemberChangeOptions {
  /** Compare-and-set: refuse unless the current configuration entry is at this index. */
  readonly ifConfigIndex?: number;
  /** Add voters the leader has not seen catch up (otherwise NotCaughtUp). */
  readonly force?: boolean;
}

function changeOpts(o: number | MemberChangeOptions): { ifConfigIndex?: number; force?: boolean } {
  const { ifConfigIndex: i, force } = typeof o === "number" ? { ifConfigIndex: o } : o;
  return { ...(i === undefined ? {} : { ifConfigIndex: i }), ...(force ? { force: true } : {}) };
}
