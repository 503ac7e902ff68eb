// The fault harness's network: one in-process TCP proxy per destination node, on loopback.
//
// Every node is told (through its --peers directory, and through the addresses published in the
// log when members are added) to reach node j at proxy_j, never at j's own peer port. A node keeps
// one outbound connection per peer and its first frame is the hello {clusterId, nodeId, to, …}
// (src/node/transport.ts), so proxy_j learns the source node i of each connection by decoding that
// first frame with the wire codec; until then it holds the bytes i sends, and forwards nothing of
// them. Bytes from j back to i (the handshake answer) pass through at once, so a protocol in which
// the accepting side speaks first still works.
//
// The `Network` controller then cuts links i→j (asymmetric) or both ways, isolates nodes, splits
// the cluster into groups, delays links, and heals. Cutting i→j destroys i's connections to j and
// refuses new ones (the proxy closes them right after the hello) until the link is healed; node i's
// transport reconnects with backoff by itself. Client traffic does not go through the proxies.

import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { CodecError, decode } from "@adore/runtime-node";
import { FrameDecoder, FrameError } from "@adore/runtime-node";

/** Which node a connection comes from when its first frame names none (unparseable hello). */
export const UNKNOWN_SOURCE = 0;

export interface NetworkStats {
  /** Connections accepted and forwarded. */
  accepted: number;
  /** Connections refused because their link was cut. */
  refused: number;
  /** Live connections destroyed by a cut. */
  severed: number;
  /** Connections whose first frame named no source node. */
  unidentified: number;
  /** Bytes forwarded source → destination. */
  bytes: number;
}

interface Link {
  readonly from: number;
  readonly to: number;
  readonly client: Socket;
  readonly upstream: Socket;
  destroy(): void;
}

const key = (from: number, to: number) => `${from}>${to}`;

class PeerProxy {
  readonly server: Server;
  port = 0;
  constructor(
    readonly to: number,
    net: Network,
  ) {
    this.server = createServer((s) => net.accept(s, to));
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.server.on("error", () => undefined);
    this.port = (this.server.address() as { port: number }).port;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

export class Network {
  readonly stats: NetworkStats = { accepted: 0, refused: 0, severed: 0, unidentified: 0, bytes: 0 };
  private readonly proxies = new Map<number, PeerProxy>();
  private readonly cuts = new Set<string>();
  private readonly delays = new Map<string, number>();
  private readonly links = new Set<Link>();
  /** Every socket the proxies hold (identified or not), so that close() can end them all. */
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    readonly ids: readonly number[],
    /** The real peer address ("host:port") of a node, or undefined while it has none. */
    private readonly target: (id: number) => string | undefined,
  ) {}

  /** Opens a proxy listener per node id; `target` gives the node's real peer address when needed. */
  static async start(ids: readonly number[], target: (id: number) => string | undefined): Promise<Network> {
    const n = new Network(ids, target);
    try {
      for (const id of ids) {
        const p = new PeerProxy(id, n);
        n.proxies.set(id, p);
        await p.listen();
      }
    } catch (e) {
      await n.close();
      throw e;
    }
    return n;
  }

  /** The address every other node uses to reach node `id`. */
  address(id: number): string {
    const p = this.proxies.get(id);
    if (!p) throw new RangeError(`no proxy for node ${id}`);
    return `127.0.0.1:${p.port}`;
  }

  isCut(from: number, to: number): boolean {
    if (from === UNKNOWN_SOURCE) return this.ids.every((x) => x === to || this.cuts.has(key(x, to)));
    return this.cuts.has(key(from, to));
  }

  /** Links currently cut, as "i>j". */
  get cutLinks(): string[] {
    return [...this.cuts].sort();
  }

  /** Cuts i→j only: i's messages no longer reach j (j's still reach i). */
  cut(from: number, to: number): void {
    if (from === to) return;
    this.cuts.add(key(from, to));
    for (const l of [...this.links]) if (l.from === from && l.to === to) this.sever(l);
  }

  /** Cuts both directions between a and b. */
  cutBoth(a: number, b: number): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  /** Cuts node `id` off from every other node, both ways. */
  isolate(id: number): void {
    for (const x of this.ids) if (x !== id) this.cutBoth(id, x);
  }

  /** Splits the nodes into groups that cannot talk to each other (nodes in no group form one more group). */
  partition(groups: readonly (readonly number[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => {
      for (const id of g) groupOf.set(id, i);
    });
    for (const a of this.ids)
      for (const b of this.ids)
        if (a !== b && (groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) this.cut(a, b);
  }

  /** Delays every byte on i→j by `ms` (0: no delay). */
  delay(from: number, to: number, ms: number): void {
    if (ms > 0) this.delays.set(key(from, to), ms);
    else this.delays.delete(key(from, to));
  }

  /** Delays every link by `ms`. */
  delayAll(ms: number): void {
    for (const a of this.ids) for (const b of this.ids) if (a !== b) this.delay(a, b, ms);
  }

  /** Restores every link: no cuts, no delays. */
  heal(): void {
    this.cuts.clear();
    this.delays.clear();
  }

  /** Closes every proxy and connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const l of [...this.links]) l.destroy();
    this.links.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
  }

  private sever(l: Link): void {
    this.stats.severed++;
    l.destroy();
  }

  /** A connection arrived at proxy_`to`. */
  accept(client: Socket, to: number): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const addr = this.target(to);
    if (!addr) {
      client.destroy();
      return;
    }
    const i = addr.lastIndexOf(":");
    const upstream = tcpConnect({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)) });
    upstream.setNoDelay(true);
    this.sockets.add(client).add(upstream);
    let from: number | undefined;
    let link: Link | undefined;
    const held: Buffer[] = [];
    const decoder = new FrameDecoder({ maxFrameSize: 1024 * 1024 });
    // delayed delivery: chunks leave in order, each no earlier than its arrival + the link's delay
    const queue: Array<{ at: number; buf: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    let dead = false;
    const destroy = () => {
      if (dead) return;
      dead = true;
      if (timer) clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (link) this.links.delete(link);
    };
    const drain = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.at <= now) write(queue.shift()!.buf);
      if (queue.length > 0) timer = setTimeout(drain, Math.max(1, queue[0]!.at - now));
    };
    const write = (buf: Buffer) => {
      if (dead) return;
      this.stats.bytes += buf.length;
      if (!upstream.write(buf)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
    };
    const forward = (buf: Buffer) => {
      const d = from === undefined ? 0 : (this.delays.get(key(from, to)) ?? 0);
      if (d === 0 && queue.length === 0) return write(buf);
      const last = queue.length > 0 ? queue[queue.length - 1]!.at : 0;
      queue.push({ at: Math.max(Date.now() + d, last), buf });
      if (!timer) timer = setTimeout(drain, Math.max(1, queue[0]!.at - Date.now()));
    };
    const identify = (first: Uint8Array | FrameError) => {
      let id = UNKNOWN_SOURCE;
      if (!(first instanceof FrameError)) {
        const v = decode(first);
        if (!(v instanceof CodecError) && typeof v === "object" && v !== null) {
          const n = (v as { nodeId?: unknown }).nodeId;
          if (typeof n === "number" && Number.isInteger(n) && n > 0) id = n;
        }
      }
      if (id === UNKNOWN_SOURCE) this.stats.unidentified++;
      from = id;
      if (this.isCut(id, to)) {
        this.stats.refused++;
        destroy();
        return;
      }
      this.stats.accepted++;
      link = { from: id, to, client, upstream, destroy };
      this.links.add(link);
      forward(Buffer.concat(held));
      held.length = 0;
    };
    client.on("data", (chunk: Buffer) => {
      if (dead) return;
      if (from !== undefined) return forward(chunk);
      held.push(chunk);
      const frames = decoder.push(chunk);
      if (frames.length > 0) identify(frames[0]!);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!dead) client.write(chunk);
    });
    client.on("error", () => undefined);
    upstream.on("error", () => undefined);
    client.on("close", destroy);
    upstream.on("close", destroy);
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  }
}
