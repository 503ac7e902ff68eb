// The client port: framed codec requests → replica operations (a ClientBackend, in practice a
// RaftNode) → framed responses. Requests on one
// connection are served concurrently (responses carry the request id). A connection that sends
// something that is not a request (bad frame, undecodable bytes, no id) is closed with a log line.
// With a client token configured, the first frame must be {id: 0, op: "auth", token} carrying it
// (src/auth/client-auth.ts); anything else is refused before any request is read. With TLS
// material the port speaks TLS (node:tls).

import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { CLIENT_AUTH_ID, CLIENT_AUTH_OP, type ClientToken, UNAUTHENTICATED } from "../auth/client-auth.js";
import type { KvRequest } from "../kv/kv.js";
import { AdoreError } from "../client/errors.js";
import {
  CLIENT_MAX_FRAME,
  CLIENT_OPS,
  type ClientRequest,
  type ClientResponse,
  type MemberList,
  type PeerAddress,
} from "../client/protocol.js";
import { CodecError, decode, encode } from "../wire/codec.js";
import { encodeFrame, FrameDecoder, FrameError } from "../wire/frame.js";
import type { ClientBackend } from "./client-backend.js";
import type { Logger } from "./log.js";

const bad = (message: string) => new AdoreError("BadRequest", message);

function str(r: ClientRequest, f: keyof ClientRequest): string {
  const v = r[f];
  if (typeof v !== "string") throw bad(`${f} must be a string`);
  return v;
}
function int(r: ClientRequest, f: keyof ClientRequest): number {
  const v = r[f];
  if (typeof v !== "number" || !Number.isInteger(v)) throw bad(`${f} must be an integer`);
  return v;
}
function optInt(r: ClientRequest, f: keyof ClientRequest): number | undefined {
  return r[f] === undefined || r[f] === null ? undefined : int(r, f);
}
function session(r: ClientRequest): { clientId: string; seq: number } {
  return { clientId: str(r, "clientId"), seq: int(r, "seq") };
}
function addrOf(r: ClientRequest): PeerAddress | undefined {
  if (r.peerAddr === undefined && r.clientAddr === undefined) return undefined;
  return { peerAddr: str(r, "peerAddr"), clientAddr: str(r, "clientAddr") };
}
function cas(r: ClientRequest): { ifConfigIndex?: number; force?: boolean } {
  const i = optInt(r, "ifConfigIndex");
  if (r.force !== undefined && typeof r.force !== "boolean") throw bad("force must be a boolean");
  return { ...(i === undefined ? {} : { ifConfigIndex: i }), ...(r.force === true ? { force: true } : {}) };
}

/** Runs one request against the node; throws AdoreError. */
export async function dispatch(node: ClientBackend, r: ClientRequest): Promise<unknown> {
  const write = async (req: KvRequest) => {
    const res = await node.write(req);
    if (res.ok) {
      const { ok: _ok, ...rest } = res;
      return rest;
    }
    const e = res.error;
    throw new AdoreError(e.code === "Stale" ? "Stale" : "BadRequest", `${e.field}: ${e.rule}`);
  };
  switch (r.op) {
    case "get":
      return { value: await node.get(str(r, "key")) };
    case "put":
      return write({ op: "put", key: str(r, "key"), value: str(r, "value"), ...session(r) });
    case "del":
      return write({ op: "delete", key: str(r, "key"), ...session(r) });
    case "cas": {
      const expected = r.expected === null || r.expected === undefined ? null : str(r, "expected");
      return write({ op: "cas", key: str(r, "key"), expected, value: str(r, "value"), ...session(r) });
    }
    case "range":
      return write({ op: "range", prefix: r.prefix ?? "", limit: optInt(r, "limit") ?? 100, ...session(r) });
    case "status":
      return node.status();
    case "member-list": {
      const s = node.status();
      return { config: s.config, directory: s.directory, leader: s.leader } satisfies MemberList;
    }
    case "member-add":
      return node.addMember(int(r, "node"), addrOf(r), cas(r));
    case "member-learner":
      return node.addLearner(int(r, "node"), addrOf(r), cas(r));
    case "member-promote":
      return node.promote(int(r, "node"), cas(r));
    case "member-remove":
      return node.removeMember(int(r, "node"), cas(r));
    case "member-set": {
      const learners = r.learners;
      if (learners !== undefined && (!Array.isArray(learners) || !learners.every((x) => Number.isInteger(x))))
        throw bad("learners must be an array of node ids");
      return node.setConfig(str(r, "config"), { ...cas(r), ...(learners ? { learners } : {}) });
    }
    case "member-update": {
      const addr = addrOf(r);
      if (!addr) throw bad("member-update needs peerAddr and clientAddr");
      return node.updateMember(int(r, "node"), addr);
    }
    case "transfer":
      await node.transferLeadership(int(r, "node"));
      return { leader: node.leaderId };
    default:
      throw bad(`unknown op ${JSON.stringify(r.op)}`);
  }
}

/** Client-port security: a required token (first frame) and TLS. */
export interface ClientSecurity {
  readonly token?: ClientToken;
  /** PEM certificate chain and private key: the port speaks TLS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export class ClientServer {
  private server: Server | undefined;
  private readonly conns = new Set<Socket>();
  /** Connections refused for want of the right token (for tests and status). */
  readonly authRefusals: Array<{ readonly reason: string; readonly remote: string }> = [];

  constructor(
    private readonly node: ClientBackend,
    private readonly log: Logger,
    private readonly security: ClientSecurity = {},
  ) {}

  async start(host: string, port: number): Promise<{ host: string; port: number }> {
    const tls = this.security.tls;
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: 5000 }, (s) => this.accept(s))
      : createServer((s) => this.accept(s));
    if (tls)
      server.on("tlsClientError", (e: Error) =>
        this.log.warn({ err: e.message }, "client TLS handshake failed"),
      );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (e) => this.log.error({ err: e.message }, "client listener error"));
    const a = server.address();
    if (a === null || typeof a === "string") throw new Error("client listener has no TCP address");
    return { host: a.address, port: a.port };
  }

  private accept(sock: Socket): void {
    this.conns.add(sock);
    sock.setNoDelay(true);
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    const decoder = new FrameDecoder({ maxFrameSize: CLIENT_MAX_FRAME });
    const drop = (why: string) => {
      this.log.warn({ remote, why }, "closing a client connection");
      sock.destroy();
    };
    const send = (resp: ClientResponse) => {
      if (sock.destroyed) return;
      let payload: Buffer;
      try {
        payload = encode(resp);
      } catch (e) {
        payload = encode({
          id: resp.id,
          ok: false,
          error: { code: "Internal", message: e instanceof Error ? e.message : String(e) },
        });
      }
      sock.write(encodeFrame(payload, { maxFrameSize: CLIENT_MAX_FRAME }));
    };
    const token = this.security.token;
    /** Without a token configured every connection is trusted from the start. */
    let authenticated = token === undefined;
    // an unauthenticated connection may not linger
    const authTimer = authenticated
      ? undefined
      : setTimeout(() => {
          if (!authenticated) drop("no authentication within 5000 ms");
        }, 5000).unref();
    const refuseAuth = (reason: string, id: unknown) => {
      this.authRefusals.push({ reason, remote });
      this.log.warn({ remote, reason }, "client connection refused: not authenticated");
      const answerId = typeof id === "number" && Number.isSafeInteger(id) ? id : CLIENT_AUTH_ID;
      send({
        id: answerId,
        ok: false,
        error: {
          code: UNAUTHENTICATED,
          message: reason === "BadToken" ? "wrong client token" : "a client token is required",
        },
      });
      sock.end();
      setTimeout(() => sock.destroy(), 1000).unref();
    };
    sock.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (sock.destroyed || sock.writableEnded) return;
        if (f instanceof FrameError) return drop(f.message);
        const v = decode(f);
        if (v instanceof CodecError) return drop(v.message);
        if (typeof v !== "object" || v === null || Array.isArray(v))
          return drop("a request must be an object");
        const r = v as ClientRequest;
        if ((r as { op?: unknown }).op === CLIENT_AUTH_OP) {
          // the authentication frame: first on the connection, answered before any request
          const t = (r as { token?: unknown }).token;
          if (token !== undefined && !authenticated) {
            const failure = token.check(t);
            if (failure) return refuseAuth(failure, CLIENT_AUTH_ID);
            authenticated = true;
            if (authTimer) clearTimeout(authTimer);
          } else if (token !== undefined) return drop("a second auth frame");
          send({ id: CLIENT_AUTH_ID, ok: true, result: { authenticated: true } });
          continue;
        }
        if (!authenticated) return refuseAuth("NoToken", r.id);
        if (typeof r.id !== "number" || !Number.isSafeInteger(r.id))
          return drop("a request needs a numeric id");
        if (typeof r.op !== "string" || !CLIENT_OPS.has(r.op)) {
          send({
            id: r.id,
            ok: false,
            error: { code: "BadRequest", message: `unknown op ${JSON.stringify(r.op)}` },
          });
          continue;
        }
        dispatch(this.node, r).then(
          (result) => send({ id: r.id, ok: true, result: result ?? null }),
          (e: unknown) => {
            const err =
              e instanceof AdoreError
                ? e
                : new AdoreError("Internal", e instanceof Error ? e.message : String(e));
            if (err.code === "Internal") this.log.error({ err: err.message, op: r.op }, "request failed");
            send({ id: r.id, ok: false, error: err.toWire() });
          },
        );
      }
    });
    sock.on("error", () => undefined);
    sock.on("close", () => {
      if (authTimer) clearTimeout(authTimer);
      this.conns.delete(sock);
    });
  }

  async close(): Promise<void> {
    for (const s of this.conns) s.destroy();
    this.conns.clear();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
