import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataDirCreateError } from "../storage/errors.js";
import { makeDirs } from "../storage/fsutil.js";

/**
 * Local clusters of node processes on loopback: what `adore cluster up`, the main job, `adore
 * bench` and the fault harness start. Ports are chosen automatically; each node logs to
 * `<dir>/n<id>.log` and (optionally) records its protocol trace in `<dir>/trace-<id>.ndjson`.
 */
export interface LocalClusterOptions {
  /** Every node id that may run (the universe); the first `members` of them form the bootstrap configuration. */
  readonly ids: readonly number[];
  /** Bootstrap voters (default: all ids). Nodes outside start empty and join when added. */
  readonly members?: readonly number[];
  /** Nodes to start at once (default: the members). */
  readonly start?: readonly number[];
  readonly dir: string;
  readonly scheme?: string;
  readonly clusterId?: string;
  readonly traces?: boolean;
  readonly logLevel?: string;
  readonly tickMs?: number;
  readonly snapshotThreshold?: number;
  /** Extra flags for every node. */
  readonly extraArgs?: readonly string[];
  /** Extra flags for one node (after `extraArgs`). */
  readonly extraArgsFor?: (id: number) => readonly string[];
  /**
   * The peer address node `from` is told (in its --peers) to reach node `to` at; default: `to`'s own
   * peer port. The fault harness (src/faults) points every node at per-destination proxies this
   * way. A node's own entry always holds its own address: that is where it listens.
   */
  readonly peerAddressFor?: (from: number, to: number) => string;
  /**
   * The peer address node `id` publishes for itself (`--advertise-peer`: its directory entry, what
   * its snapshots carry); default: the address it listens on. The fault harness gives the proxy's.
   */
  readonly advertisePeerFor?: (id: number) => string;
}

export interface NodeAddresses {
  readonly peer: string;
  readonly client: string;
}

/** The package root (the directory holding runtime-node's package.json). */
function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, "package.json"))) {
    const up = dirname(d);
    if (up === d) throw new Error("runtime-node: package.json not found");
    d = up;
  }
  return d;
}

/** How to start a node process: the built entry when running from dist, the sources through tsx otherwise. */
export function nodeEntry(): { readonly args: readonly string[]; readonly cwd: string } {
  const root = packageRoot();
  const built = join(root, "dist", "node", "main.js");
  const fromDist = fileURLToPath(import.meta.url).includes(`${join(root, "dist")}`);
  if (fromDist && existsSync(built)) return { args: [built], cwd: root };
  return {
    args: ["--conditions=@adore/source", "--import", "tsx", join(root, "src", "node", "main.ts")],
    cwd: root,
  };
}

/** `n` distinct free loopback ports (all held open while allocating). */
export async function allocatePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** How a node process ended: its exit code, or the signal that killed it. */
export type NodeExit =
  | { readonly kind: "code"; readonly code: number }
  | { readonly kind: "signal"; readonly signal: NodeJS.Signals };

/** "exited with code 1", "killed by SIGKILL". */
export function describeExit(e: NodeExit): string {
  switch (e.kind) {
    case "code":
      return `exited with code ${e.code}`;
    case "signal":
      return `killed by ${e.signal}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

export class LocalCluster {
  private readonly procs = new Map<number, ChildProcess>();
  private readonly exits = new Map<number, NodeExit>();
  /** Lines a node wrote on stderr (kept for error reports). */
  readonly stderr = new Map<number, string[]>();

  private constructor(
    readonly options: LocalClusterOptions,
    readonly addresses: ReadonlyMap<number, NodeAddresses>,
  ) {}

  /** Throws a DataDirError (before starting anything) when `o.dir` cannot be used. */
  static async start(o: LocalClusterOptions): Promise<LocalCluster> {
    try {
      makeDirs(o.dir);
    } catch (e) {
      throw dataDirCreateError(o.dir, e);
    }
    const ports = await allocatePorts(o.ids.length * 2);
    const addresses = new Map<number, NodeAddresses>();
    o.ids.forEach((id, i) => {
      addresses.set(id, { peer: `127.0.0.1:${ports[2 * i]}`, client: `127.0.0.1:${ports[2 * i + 1]}` });
    });
    const cl = new LocalCluster(o, addresses);
    try {
      await Promise.all((o.start ?? o.members ?? o.ids).map((id) => cl.startNode(id)));
    } catch (e) {
      await cl.stop();
      throw e;
    }
    return cl;
  }

  /** Client endpoints of the nodes that are running. */
  get endpoints(): string[] {
    return [...this.procs.keys()].sort((a, b) => a - b).map((id) => this.addresses.get(id)!.client);
  }
  /** Client endpoints of every node of the universe. */
  get allEndpoints(): string[] {
    return this.options.ids.map((id) => this.addresses.get(id)!.client);
  }
  get running(): number[] {
    return [...this.procs.keys()].sort((a, b) => a - b);
  }
  /** How the last process of node `id` ended (undefined while it runs or if it never ran). */
  lastExit(id: number): NodeExit | undefined {
    return this.procs.has(id) ? undefined : this.exits.get(id);
  }
  peersFlag(): string {
    return this.options.ids
      .map((id) => `${id}=${this.addresses.get(id)!.peer}/${this.addresses.get(id)!.client}`)
      .join(",");
  }
  /** The --peers of node `id`: `peersFlag()` unless `peerAddressFor` redirects its peers. */
  peersFlagFor(id: number): string {
    const f = this.options.peerAddressFor;
    if (!f) return this.peersFlag();
    return this.options.ids
      .map((to) => {
        const a = this.addresses.get(to)!;
        return `${to}=${to === id ? a.peer : f(id, to)}/${a.client}`;
      })
      .join(",");
  }
  dataDir(id: number): string {
    return join(this.options.dir, `n${id}`);
  }
  tracePath(id: number): string {
    return join(this.options.dir, `trace-${id}.ndjson`);
  }

  /** Starts (or restarts, from its data directory) node `id`; resolves when it reports ready. */
  startNode(id: number): Promise<void> {
    const o = this.options;
    if (this.procs.has(id)) return Promise.resolve();
    const entry = nodeEntry();
    const args = [
      ...entry.args,
      "--id",
      String(id),
      "--data",
      this.dataDir(id),
      "--peers",
      this.peersFlagFor(id),
      "--cluster-id",
      o.clusterId ?? "adore-local",
      "--scheme",
      o.scheme ?? "raft-single",
      "--members",
      (o.members ?? o.ids).join(","),
      "--log-level",
      o.logLevel ?? "info",
      "--log-file",
      join(o.dir, `n${id}.log`),
      ...(o.tickMs !== undefined ? ["--tick-ms", String(o.tickMs)] : []),
      ...(o.snapshotThreshold !== undefined ? ["--snapshot-threshold", String(o.snapshotThreshold)] : []),
      ...(o.traces ? ["--trace", this.tracePath(id)] : []),
      ...(o.extraArgs ?? []),
      ...(o.advertisePeerFor ? ["--advertise-peer", o.advertisePeerFor(id)] : []),
      ...(o.extraArgsFor?.(id) ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: entry.cwd, stdio: ["ignore", "pipe", "pipe"] });
    this.procs.set(id, child);
    const err: string[] = [];
    this.stderr.set(id, err);
    child.stderr!.on("data", (d: Buffer) => {
      err.push(d.toString());
      if (err.length > 200) err.shift();
    });
    child.once("exit", (code, signal) => {
      if (this.procs.get(id) !== child) return;
      this.procs.delete(id);
      this.exits.set(id, signal ? { kind: "signal", signal } : { kind: "code", code: code ?? 0 });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`node ${id} not ready after 30 s: ${err.join("")}`)),
        30_000,
      );
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes('"ready":true')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node ${id} exited (${code ?? signal}) before it was ready: ${err.join("")}`));
      });
    });
  }

  /** Sends a signal to node `id` (SIGKILL: a crash; SIGSTOP/SIGCONT: a pause). Resolves when a killed node has exited. */
  signal(id: number, sig: NodeJS.Signals): Promise<void> {
    const p = this.procs.get(id);
    if (!p) return Promise.resolve();
    if (sig === "SIGSTOP" || sig === "SIGCONT") {
      p.kill(sig);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      p.once("exit", () => resolve());
      p.kill(sig);
    });
  }

  /** Crash (SIGKILL) then restart from disk. */
  async restartNode(id: number): Promise<void> {
    await this.signal(id, "SIGKILL");
    await this.startNode(id);
  }

  /** Stops every node (SIGTERM, then SIGKILL after a grace period). */
  async stop(graceMs = 3000): Promise<void> {
    await Promise.all(
      [...this.procs.entries()].map(
        ([, p]) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => p.kill("SIGKILL"), graceMs);
            p.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
            p.kill("SIGCONT");
            p.kill("SIGTERM");
          }),
      ),
    );
  }
}
