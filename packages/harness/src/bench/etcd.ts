import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The etcd binary to use (`ETCD_BIN`, else `etcd` on PATH); undefined when not installed. */
export function etcdBinary(): string | undefined {
  const bin = process.env.ETCD_BIN ?? "etcd";
  try {
    execFileSync(bin, ["--version"], { stdio: "pipe" });
    return bin;
  } catch {
    return undefined;
  }
}

/** A free TCP port on loopback (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface EtcdCluster {
  /** Client URLs, e.g. http://127.0.0.1:23791. */
  readonly endpoints: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts an etcd cluster of `members` processes on loopback in a temporary directory (fsync on,
 * etcd's default). Resolves once every member serves its health endpoint.
 */
export async function startEtcdCluster(members = 3, bin = etcdBinary()): Promise<EtcdCluster> {
  if (!bin) throw new Error("etcd is not installed (run scripts/install-etcd.sh, or set ETCD_BIN)");
  const dir = mkdtempSync(join(tmpdir(), "adore-etcd-"));
  const ports: { client: number; peer: number }[] = [];
  for (let i = 0; i < members; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = ports.map((p, i) => `e${i + 1}=http://127.0.0.1:${p.peer}`).join(",");
  const procs: ChildProcess[] = ports.map((p, i) =>
    spawn(
      bin,
      [
        "--name",
        `e${i + 1}`,
        "--data-dir",
        join(dir, `e${i + 1}`),
        "--listen-client-urls",
        `http://127.0.0.1:${p.client}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${p.client}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${p.peer}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${p.peer}`,
        "--initial-cluster",
        initial,
        "--initial-cluster-state",
        "new",
        "--initial-cluster-token",
        `adore-bench-${process.pid}`,
        "--log-level",
        "error",
      ],
      { stdio: "ignore" },
    ),
  );
  const endpoints = ports.map((p) => `http://127.0.0.1:${p.client}`);
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once("exit", () => resolve());
            p.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (const e of endpoints) {
    for (;;) {
      try {
        const r = await fetch(`${e}/health`);
        const body = (await r.json()) as { health?: string };
        if (body.health === "true") break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`etcd member ${e} did not become healthy within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoints, stop };
}
