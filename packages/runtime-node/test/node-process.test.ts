// Three node processes (src/node/main.ts) on loopback: SIGKILL the leader under writes, restart it
// from its data directory, and check that every acknowledged write is there.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AdoreClient } from "../src/client/client.js";
import { allocatePorts } from "../src/cluster/local.js";
import { until } from "../src/testing/index.js";

const pkg = new URL("..", import.meta.url).pathname;
const main = new URL("../src/node/main.ts", import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), "adore-proc-"));
const children = new Map<number, ChildProcess>();
const clients: AdoreClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const ch of children.values()) ch.kill("SIGKILL");
  await new Promise((r) => setTimeout(r, 100));
  rmSync(root, { recursive: true, force: true });
});

interface Status {
  role: string;
  commit: number;
  applied: number;
}

function spawnNode(id: number, peers: string, stderr: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@adore/source",
      "--import",
      "tsx",
      main,
      "--id",
      String(id),
      "--data",
      join(root, `n${id}`),
      "--peers",
      peers,
      "--cluster-id",
      "proc-test",
      "--log-level",
      "warn",
      "--trace",
      join(root, `trace-${id}.ndjson`),
    ],
    { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.set(id, child);
  child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`node ${id} not ready: ${stderr.join("")}`)), 20_000);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready":true')) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`node ${id} exited with ${code}: ${stderr.join("")}`)));
  });
}

describe("node processes", () => {
  it("keeps every acknowledged write across a SIGKILL of the leader and its restart", async () => {
    const ports = await allocatePorts(6);
    const addr = (id: number) => ({
      peer: `127.0.0.1:${ports[2 * (id - 1)]}`,
      client: `127.0.0.1:${ports[2 * (id - 1) + 1]}`,
    });
    const peers = [1, 2, 3].map((id) => `${id}=${addr(id).peer}/${addr(id).client}`).join(",");
    const stderr: string[] = [];
    await Promise.all([1, 2, 3].map((id) => spawnNode(id, peers, stderr)));
    const endpoints = [1, 2, 3].map((id) => addr(id).client);
    const probe = new AdoreClient({ endpoints, attemptTimeoutMs: 500 });
    clients.push(probe);
    const statusOf = async (id: number) => (await probe.statusOf(addr(id).client)) as Status;
    const leaderId = async (): Promise<number | undefined> => {
      for (const id of [1, 2, 3]) {
        if (!children.has(id)) continue;
        const s = await statusOf(id).catch(() => undefined);
        if (s?.role === "leader") return id;
      }
      return undefined;
    };
    let first: number | undefined;
    await until(async () => (first = await leaderId()) !== undefined, 15_000, "a leader");

    const c = new AdoreClient({ endpoints, attemptTimeoutMs: 1000, timeoutMs: 20_000 });
    clients.push(c);
    const acked = new Map<string, string>();
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const k = `k/${w}/${i}`;
        try {
          await c.put(k, `v${i}`);
          acked.set(k, `v${i}`);
        } catch {
          // not acknowledged
        }
      }
    });
    await until(() => acked.size >= 50, 10_000, "writes before the kill");
    const before = acked.size;
    children.get(first!)!.kill("SIGKILL");
    children.delete(first!);
    let second: number | undefined;
    await until(
      async () => (second = await leaderId()) !== undefined && second !== first,
      15_000,
      "a new leader",
    );
    await until(() => acked.size >= before + 50, 15_000, "writes after the kill");
    // restart the killed node from its data directory
    await spawnNode(first!, peers, stderr);
    const target = (await statusOf(second!)).commit;
    await until(
      async () => (await statusOf(first!)).applied >= target,
      15_000,
      "the restarted node to catch up",
    );
    stop = true;
    await Promise.all(writers);
    expect(acked.size).toBeGreaterThan(100);
    // every acknowledged write is readable (linearizable reads through the leader)
    const keys = [...acked.keys()];
    for (let i = 0; i < keys.length; i += 50) {
      const vals = await Promise.all(keys.slice(i, i + 50).map((k) => c.get(k)));
      vals.forEach((v, j) => {
        expect(v, keys[i + j]).toBe(acked.get(keys[i + j]!));
      });
    }
    expect(stderr.join("")).not.toMatch(/SAFETY ALARM/);
    // graceful stop
    const exits = [...children.values()].map((ch) => new Promise((r) => ch.once("exit", r)));
    for (const ch of children.values()) ch.kill("SIGTERM");
    await Promise.all(exits);
    children.clear();
  });
});
