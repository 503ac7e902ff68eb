// The service commands of the `adore` CLI, each run as a subprocess from the sources:
// `adore cluster up --nodes 3` in the background, node 4 started by hand with `adore node start`
// (so `cluster up` runs ids 1..3 only, and `member learner 4 --peer … --client …` publishes node
// 4's addresses), then kv, status and member commands against them, and finally SIGTERM to
// `cluster up`, which must stop every node process and free every port.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterFile } from "../src/service.js";
import { AdoreClient, allocatePorts } from "@adore/runtime-node";
import { until } from "@adore/runtime-node/testing";

const pkg = new URL("..", import.meta.url).pathname;
const main = new URL("../src/main.ts", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "adore-cli-service-"));
const dir = join(tmp, "cluster");
const NODE_ARGS = ["--conditions=@adore/source", "--import", "tsx", main];

/** Background children, each the leader of its own process group (so its node processes die with it). */
const background: ChildProcess[] = [];

afterAll(async () => {
  for (const ch of background)
    try {
      process.kill(-ch.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  await new Promise((r) => setTimeout(r, 100));
  rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `adore …` to completion. */
function adore(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const ch = spawn(process.execPath, [...NODE_ARGS, ...args], {
      cwd: pkg,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    ch.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    ch.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      ch.kill("SIGKILL");
      reject(new Error(`adore ${args.join(" ")} did not finish: ${stderr}`));
    }, 20_000);
    ch.once("exit", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `adore …` in the background; resolves with the child and its stdout once `ready` matches. */
function startBackground(args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: pkg,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  background.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`adore ${args.join(" ")} not ready: ${stderr}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (ready.test(stdout)) {
        clearTimeout(t);
        resolve({ child, out: () => stdout });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`adore ${args.join(" ")} exited with ${code}: ${stderr}`));
    });
  });
}

const exited = (ch: ChildProcess) =>
  new Promise<number | null>((r) => {
    if (ch.exitCode !== null) r(ch.exitCode);
    else ch.once("exit", (code) => r(code));
  });

/** Does any process of this process group remain? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(":");
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(Number(hostPort.slice(i + 1)), hostPort.slice(0, i), () => s.close(() => resolve(true)));
  });
}

let up: ChildProcess;
let endpoints: string;
let cluster: ClusterFile;
let node4: ChildProcess;
let node4Addr: { peer: string; client: string };

beforeAll(async () => {
  const u = await startBackground(["cluster", "up", "--nodes", "3", "--dir", dir], /^endpoints: \S+$/m);
  up = u.child;
  endpoints = /^endpoints: (\S+)$/m.exec(u.out())![1]!;
  cluster = JSON.parse(readFileSync(join(dir, "cluster.json"), "utf8")) as ClusterFile;
  // node 4: not a member, started by hand with the cluster's peer directory plus its own addresses
  const [p, c] = await allocatePorts(2);
  node4Addr = { peer: `127.0.0.1:${p}`, client: `127.0.0.1:${c}` };
  const n4 = await startBackground(
    [
      "node",
      "start",
      "--id",
      "4",
      "--data",
      join(tmp, "n4"),
      "--peers",
      `${cluster.peers},4=${node4Addr.peer}/${node4Addr.client}`,
      "--members",
      "1,2,3",
      "--cluster-id",
      cluster.clusterId,
      "--log-level",
      "warn",
    ],
    /"ready":true/,
  );
  node4 = n4.child;
}, 60_000);

describe("adore service commands as subprocesses", () => {
  it("cluster up prints every node's addresses, data dir and log, and writes cluster.json", () => {
    expect(cluster.endpoints.join(",")).toBe(endpoints);
    expect(cluster.nodes.map((n) => n.id)).toEqual([1, 2, 3]);
    expect(cluster.members).toEqual([1, 2, 3]);
    for (const n of cluster.nodes) {
      expect(n.data).toBe(join(dir, `n${n.id}`));
      expect(n.log).toBe(join(dir, `n${n.id}.log`));
      expect(existsSync(n.log)).toBe(true);
    }
  });

  it("kv put/get/cas/range/del, through --endpoints, --cluster and ADORE_ENDPOINTS", async () => {
    const E = ["--endpoints", endpoints];
    const C = ["--cluster", dir];
    const [p1, p2] = await Promise.all([
      adore(["kv", "put", "a/1", "one", ...E, "--timeout", "15000"]),
      adore(["kv", "put", "a/2", "two", ...C, "--timeout", "15000"]),
    ]);
    expect(p1).toMatchObject({ code: 0, stdout: "OK\n", stderr: "" });
    expect(p2).toMatchObject({ code: 0, stdout: "OK\n" });

    const [g, missing, swapped, absent] = await Promise.all([
      adore(["kv", "get", "a/1", ...C]),
      adore(["kv", "get", "nope"], { ADORE_ENDPOINTS: endpoints }),
      adore(["kv", "cas", "a/2", "two", "deux", ...E]),
      adore(["kv", "cas", "--absent", "a/3", "three", ...C, "--json"]),
    ]);
    expect(g).toMatchObject({ code: 0, stdout: "one\n", stderr: "" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/not found/);
    expect(swapped).toMatchObject({ code: 0, stdout: "swapped\n" });
    expect(JSON.parse(absent.stdout)).toEqual({ key: "a/3", swapped: true, current: "three" });

    const [notSwapped, range, rangeJson, del] = await Promise.all([
      adore(["kv", "cas", "a/2", "two", "zwei", ...C]),
      adore(["kv", "range", "a/", ...C]),
      adore(["kv", "range", "a/", "--limit", "1", "--json", ...E]),
      adore(["kv", "del", "a/1", ...C]),
    ]);
    expect(notSwapped.code).toBe(1);
    expect(notSwapped.stdout).toBe("not swapped: current value deux\n");
    expect(range.code).toBe(0);
    // a/1 may or may not be deleted yet (the del runs concurrently)
    expect(range.stdout).toMatch(/^(a\/1=one\n)?a\/2=deux\na\/3=three\n$/);
    expect(JSON.parse(rangeJson.stdout).items).toHaveLength(1);
    expect(JSON.parse(rangeJson.stdout).more).toBe(true);
    expect(del).toMatchObject({ code: 0, stdout: "deleted\n" });

    const gone = await adore(["kv", "get", "a/1", ...C, "--json"]);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toEqual({ key: "a/1", value: null });
  });

  it("status: every endpoint's role, term, commit/applied, configuration, and the leader's peers", async () => {
    const [text, json] = await Promise.all([
      adore(["status", "--cluster", dir]),
      adore(["status", "--endpoints", endpoints, "--json"]),
    ]);
    expect(text.code).toBe(0);
    for (const id of [1, 2, 3])
      expect(text.stdout).toMatch(
        new RegExp(`^node ${id} at 127\\.0\\.0\\.1:\\d+: (leader|follower), term \\d+`, "m"),
      );
    expect(text.stdout).toMatch(/^ {2}commit \d+, applied \d+, last index \d+/m);
    expect(text.stdout).toMatch(
      /^ {2}config \{1,2,3\} \(raft-single\), voters 1,2,3, learners none; entry \d+, committed$/m,
    );
    expect(text.stdout).toMatch(/^ {2}peers: node \d match \d+ lag \d+ \(\w+\); node \d match \d+ lag \d+/m);
    const all = JSON.parse(json.stdout) as Array<{ endpoint: string; status: { id: number; role: string } }>;
    expect(all.map((a) => a.status.id)).toEqual([1, 2, 3]);
    expect(all.filter((a) => a.status.role === "leader")).toHaveLength(1);
  });

  it("member learner/promote/remove, a CAS on the configuration, and changes the core refuses", async () => {
    const C = ["--cluster", dir];
    const learner = await adore([
      "member",
      "learner",
      "4",
      "--peer",
      node4Addr.peer,
      "--client",
      node4Addr.client,
      ...C,
    ]);
    expect(learner.stderr).toBe("");
    expect(learner.code).toBe(0);
    expect(learner.stdout).toMatch(/^node 4 added as a learner: configuration entry (\d+) \(term \d+\)$/m);
    expect(learner.stdout).toContain("configuration {1,2,3} (raft-single), voters 1,2,3, learners 4;");
    const entry = Number(/configuration entry (\d+)/.exec(learner.stdout)![1]);

    // --if-config with a stale index: ConfigIdMismatch, exit 1; a bad id: exit 2
    const [stale, badId] = await Promise.all([
      adore(["member", "promote", "4", "--if-config", String(entry - 1), ...C]),
      adore(["member", "promote", "x", ...C]),
    ]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      `adore member promote: refused: ConfigIdMismatch: expected the configuration at index ${entry - 1}, the current one is at ${entry}\n`,
    );
    expect(badId.code).toBe(2);
    expect(badId.stderr.trim().split("\n")).toHaveLength(1);

    const promote = await adore(["member", "promote", "4", "--if-config", String(entry), ...C]);
    expect(promote.code).toBe(0);
    expect(promote.stdout).toContain("configuration {1,2,3,4} (raft-single), voters 1,2,3,4, learners none;");
    // 4 voters tolerate one failure, as 3 did: the reply says so
    expect(promote.stdout).toMatch(
      /^warning: 4 voters tolerate 1 failure, as 3 did; the quorums grew without tolerating more failures$/m,
    );

    // node 4 now serves through its own endpoint (a follower redirects to the leader); list shows it a voter
    const [viaNode4, list] = await Promise.all([
      adore(["kv", "get", "a/2", "--endpoints", node4Addr.client]),
      adore(["member", "list", ...C]),
    ]);
    expect(viaNode4).toMatchObject({ code: 0, stdout: "deux\n" });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^configuration \{1,2,3,4\} \(raft-single\)/);
    expect(list.stdout).toMatch(new RegExp(`^ {2}4 +voter +${node4Addr.peer.replace(/\./g, "\\.")} +`, "m"));
  });

  it("refused membership commands (re-address of a voter, add of the leader, phantom voters, a taken address) leave configuration, peer directory and logs exactly as they were", async () => {
    const C = ["--cluster", dir];
    /** What every node reports that a refused command must not change (read in-process: no spawn). */
    const probe = new AdoreClient({ endpoints: cluster.endpoints });
    const state = () =>
      Promise.all(
        [...cluster.endpoints, node4Addr.client].map(async (e) => {
          const s = await probe.statusOf(e);
          return {
            id: s.id,
            leader: s.leader,
            term: s.term,
            commit: s.commit,
            lastIndex: s.lastIndex,
            config: s.config,
            directory: s.directory,
          };
        }),
      );
    const before = await state();
    const leader = before[0]!.leader;
    const leaderPeer = cluster.nodes.find((n) => n.id === leader)!.peer;
    const refusals: Array<[string[], RegExp]> = [
      [
        ["member", "learner", "4", "--peer", "127.0.0.1:1", "--client", "127.0.0.1:2"],
        /^adore member learner: refused: node 4 is already a voter \(peer .*\); to change its addresses use member update$/,
      ],
      [
        ["member", "add", String(leader), "--peer", "127.0.0.1:5", "--client", "127.0.0.1:6"],
        new RegExp(`^adore member add: refused: node ${leader} is already a voter`),
      ],
      [
        ["member", "add", "5", "--peer", "127.0.0.1:7", "--client", "127.0.0.1:8"],
        /^adore member add: refused: the leader has never heard from node 5 \(match 0, lag \d+\); .*member learner 5 --peer … --client ….*--auto-promote.*--force adds it anyway$/,
      ],
      [
        ["member", "set", "{1,2,3,4,5}"],
        /^adore member set: refused: node\(s\) 5 are not in the peer directory/,
      ],
      [
        ["member", "update", "9", "--peer", "127.0.0.1:7", "--client", "127.0.0.1:8"],
        /^adore member update: refused: node 9 is unknown to the cluster/,
      ],
      [
        ["member", "update", "4", "--peer", leaderPeer, "--client", "127.0.0.1:8"],
        new RegExp(
          `^adore member update: refused: node ${leader} already uses ${leaderPeer.replace(/\./g, "\\.")}`,
        ),
      ],
    ];
    /**
     * Runs a command that must be refused and compares every node's state before and after. An
     * election in between (this machine is shared and loaded) appends a no-op and moves the term:
     * the comparison is then repeated, never loosened.
     */
    const refusedUnchanged = async (args: string[], message: RegExp) => {
      for (let attempt = 1; ; attempt++) {
        const pre = await state();
        const r = await adore([...args, ...C]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr.trim()).toMatch(message);
        const post = await state();
        const elected = post.some((p, i) => p.term !== pre[i]?.term);
        if (elected && attempt < 3) continue;
        expect(post, args.join(" ")).toEqual(pre);
        return r;
      }
    };
    for (const [args, message] of refusals) await refusedUnchanged(args, message);
    const after = await state();
    for (const [i, a] of after.entries()) {
      expect(a.config).toEqual(before[i]!.config);
      expect(a.directory).toEqual(before[i]!.directory);
    }
    // --json carries the typed code
    const json = await adore([
      "member",
      "learner",
      "4",
      "--peer",
      "127.0.0.1:1",
      "--client",
      "127.0.0.1:2",
      ...C,
      "--json",
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      refused: true,
      error: { code: "AlreadyMember" },
    });
    expect(await state()).toEqual(before);
    // and the cluster still serves, node 4 included
    expect(await adore(["kv", "put", "after/misuse", "ok", ...C])).toMatchObject({ code: 0, stdout: "OK\n" });
    expect(await adore(["kv", "get", "after/misuse", "--endpoints", node4Addr.client])).toMatchObject({
      code: 0,
      stdout: "ok\n",
    });
    probe.close();
  }, 240_000);

  it("member remove, and changes the core refuses", async () => {
    const C = ["--cluster", dir];
    const remove = await adore(["member", "remove", "4", ...C, "--json"]);
    expect(remove.code).toBe(0);
    expect(JSON.parse(remove.stdout)).toMatchObject({
      ok: true,
      config: { text: "{1,2,3}", voters: [1, 2, 3] },
    });

    // two voters at once under raft-single: R1plus; bad syntax: exit 2; a shortcut on a non-member: refused
    const [twoAtOnce, twoJson, syntax, notMember] = await Promise.all([
      adore(["member", "set", "{1,2,3,4,5}", ...C]),
      adore(["member", "set", "{1,2,3,4,5}", ...C, "--json"]),
      adore(["member", "set", "{1,2", ...C]),
      adore(["member", "remove", "9", ...C]),
    ]);
    expect(twoAtOnce.code).toBe(1);
    expect(twoAtOnce.stdout).toBe("");
    expect(twoAtOnce.stderr).toBe(
      "adore member set: refused: R1plus: the scheme does not allow configuration {1,2,3,4,5} after {1,2,3}; " +
        "it accepts {1,2,3,4} after it, then {1,2,3,4,5}: member set '{1,2,3,4}' first\n",
    );
    expect(twoJson.code).toBe(1);
    expect(JSON.parse(twoJson.stdout)).toMatchObject({
      ok: false,
      refused: true,
      error: { code: "Rejected", rejection: { code: "R1plus" } },
    });
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(
      /^adore member set: "\{1,2" is not a raft-single configuration: .*\(syntax: /,
    );
    expect(notMember.code).toBe(1);
    expect(notMember.stderr).toBe("adore member remove: refused: node 9 is not a member\n");
  });

  it("errors: unreachable endpoints and bad arguments give one line on stderr and exit 2", async () => {
    const runs = await Promise.all([
      adore(["kv", "get", "k", "--endpoints", "127.0.0.1:1", "--timeout", "300"]),
      adore(["kv", "put", "k", "--cluster", dir]),
      adore(["kv", "get", "k", "--endpoints", "nohost"]),
      adore(["kv", "range", "--limit", "0", "--cluster", dir]),
      adore(["member", "add", "5", "--peer", "127.0.0.1:9", "--cluster", dir]),
      adore(["status", "--cluster", join(tmp, "nowhere")]),
    ]);
    const [unreachable, missingArg, badEndpoint, badLimit, halfAddress, noCluster] = runs;
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(unreachable!.stderr).toMatch(/^adore kv get: cannot reach the cluster \(tried 127\.0\.0\.1:1\)/);
    expect(missingArg!.stderr).toMatch(/missing required argument 'value'/);
    expect(badEndpoint!.stderr).toMatch(/"nohost" is not host:port/);
    expect(badLimit!.stderr).toMatch(/--limit must be an integer in 1\.\.1000/);
    expect(halfAddress!.stderr).toMatch(/give both --peer and --client/);
    expect(noCluster!.stderr).toMatch(/no cluster file .*cluster\.json/);
  });

  it("SIGTERM stops `cluster up`: exit 0, every node process gone, every port free", async () => {
    const logs = cluster.nodes.map((n) => n.log);
    up.kill("SIGTERM");
    node4.kill("SIGTERM");
    expect(await exited(up)).toBe(0);
    expect(await exited(node4)).toBe(0);
    // the node processes are in the process group of `cluster up` (and node 4 in its own)
    await until(() => !groupAlive(up.pid!) && !groupAlive(node4.pid!), 5000, "every node process to exit");
    for (const n of cluster.nodes) {
      expect(await portFree(n.peer), n.peer).toBe(true);
      expect(await portFree(n.client), n.client).toBe(true);
    }
    expect(await portFree(node4Addr.peer)).toBe(true);
    expect(await portFree(node4Addr.client)).toBe(true);
    // each node shut down gracefully, and the cluster file is gone
    for (const log of logs) expect(readFileSync(log, "utf8")).toContain('"msg":"node stopped"');
    expect(existsSync(join(dir, "cluster.json"))).toBe(false);
  });
});
