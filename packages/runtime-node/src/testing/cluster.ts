// An in-process cluster of RaftNodes on loopback with temporary data directories, for tests
// (exported as @adore/runtime-node/testing), and a polling wait.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocatePorts } from "../cluster/local.js";
import { type PeerAddress, RaftNode, type RaftNodeOptions } from "../node/raft-node.js";

export function until(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = "condition",
): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = async () => {
      try {
        if (await cond()) return resolve();
      } catch {
        // keep polling
      }
      if (Date.now() - t0 > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(poll, 10);
    };
    void poll();
  });
}

export class TestCluster {
  readonly nodes = new Map<number, RaftNode>();
  readonly dirs = new Map<number, string>();
  readonly directory: Record<number, PeerAddress> = {};
  readonly root: string;

  private constructor(
    readonly clusterId: string,
    readonly extra: Partial<RaftNodeOptions>,
    readonly perNode: (id: number, root: string) => Partial<RaftNodeOptions>,
  ) {
    this.root = mkdtempSync(join(tmpdir(), "adore-cluster-"));
  }

  /** Allocates addresses for nodes 1..n (and `spare` more ids) and starts nodes 1..n. */
  static async start(
    n: number,
    extra: Partial<RaftNodeOptions> = {},
    spare = 0,
    perNode: (id: number, root: string) => Partial<RaftNodeOptions> = () => ({}),
  ): Promise<TestCluster> {
    const c = new TestCluster(`test-${Math.random().toString(36).slice(2, 8)}`, extra, perNode);
    const ports = await allocatePorts(2 * (n + spare));
    for (let id = 1; id <= n + spare; id++)
      c.directory[id] = {
        peerAddr: `127.0.0.1:${ports[2 * (id - 1)]}`,
        clientAddr: `127.0.0.1:${ports[2 * (id - 1) + 1]}`,
      };
    const members = Array.from({ length: n }, (_, i) => i + 1);
    await Promise.all(members.map((id) => c.startNode(id, members)));
    return c;
  }

  dataDir(id: number): string {
    let d = this.dirs.get(id);
    if (!d) {
      d = join(this.root, `n${id}`);
      this.dirs.set(id, d);
    }
    return d;
  }

  async startNode(id: number, members: readonly number[] = [1, 2, 3], more: Partial<RaftNodeOptions> = {}) {
    const node = await RaftNode.start({
      id,
      clusterId: this.clusterId,
      dataDir: this.dataDir(id),
      peers: this.directory,
      members,
      tickMs: 10,
      requestTimeoutMs: 4000,
      ...this.extra,
      ...this.perNode(id, this.root),
      ...more,
    });
    this.nodes.set(id, node);
    return node;
  }

  async stopNode(id: number): Promise<void> {
    const n = this.nodes.get(id);
    this.nodes.delete(id);
    await n?.close();
  }

  leader(): RaftNode | undefined {
    const ls = [...this.nodes.values()].filter((n) => n.isLeader);
    return ls.length === 1 ? ls[0] : undefined;
  }

  async waitLeader(ms = 10_000): Promise<RaftNode> {
    let l: RaftNode | undefined;
    await until(() => (l = this.leader()) !== undefined, ms, "a leader");
    return l!;
  }

  endpoints(): string[] {
    return [...this.nodes.keys()].map((id) => this.directory[id]!.clientAddr);
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.close().catch(() => undefined)));
    this.nodes.clear();
    rmSync(this.root, { recursive: true, force: true });
  }
}
