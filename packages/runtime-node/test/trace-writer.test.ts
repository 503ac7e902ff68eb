import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeSet } from "@adore/adore-core";
import {
  checkTraceRecord,
  type Input,
  type Membership,
  makeParams,
  newServer,
  OptionsError,
  stepServer,
  type TraceBody,
  type TraceRecord,
  traceFileName,
} from "@adore/raft-net";
import { getScheme } from "@adore/schemes";
import { afterAll, describe, expect, it } from "vitest";
import { TraceWriter } from "../src/node/trace-writer.js";

const dir = mkdtempSync(join(tmpdir(), "adore-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file's lines, each parsed and checked against raft-net's format. */
function readBack(file: string): TraceRecord[] {
  const lines = readFileSync(file, "utf8").split("\n");
  expect(lines.pop()).toBe(""); // every record ends with its newline
  return lines.map((line) => {
    const r = checkTraceRecord(JSON.parse(line));
    if (typeof r === "string") throw new Error(`${r}: ${line}`);
    return r;
  });
}

/** What a one-node replica writes: its start record, then its inputs and their outputs until it leads. */
function run(w: TraceWriter, seed: number): TraceBody[] {
  const reg = getScheme("raft-single");
  const params = makeParams({ scheme: reg.scheme });
  if (params instanceof OptionsError) throw params;
  const membership: Membership<unknown> = { config: reg.initial(1), learners: nodeSet([]) };
  const bodies: TraceBody[] = [
    {
      kind: "start",
      clusterId: "c1",
      scheme: reg.scheme.name,
      seed,
      options: params.options,
      election: params.election.name,
      bootstrap: membership,
      membership,
    },
  ];
  w.write(bodies[0]!);
  let server = newServer(1, membership, params, seed);
  for (let i = 0; i < 200 && server.role !== "leader"; i++) {
    const input: Input<unknown> = { type: "tick" };
    bodies.push({ kind: "input", input });
    w.write(bodies[bodies.length - 1]!);
    const r = stepServer(server, input, params);
    server = r.server;
    if (r.outputs.events.length > 0) {
      bodies.push({ kind: "output", input: input.type, events: r.outputs.events });
      w.write(bodies[bodies.length - 1]!);
    }
  }
  expect(server.role).toBe("leader");
  return bodies;
}

describe("TraceWriter", () => {
  it("writes raft-net trace records, numbered from 0, that checkTraceRecord accepts", () => {
    const file = join(dir, traceFileName(1));
    const w = new TraceWriter(file, 1);
    const bodies = run(w, 7);
    w.close();
    const back = readBack(file);
    expect(back.map((r) => r.kind)).toEqual(bodies.map((b) => b.kind));
    expect(back.some((r) => r.kind === "output")).toBe(true);
    back.forEach((r, i) => {
      expect(r.seq).toBe(i);
      expect(r.node).toBe(1);
      expect(r).toEqual({ seq: i, node: 1, ...JSON.parse(JSON.stringify(bodies[i])) });
    });
  });

  it("hands each line to the kernel before write returns (a SIGKILLed node leaves a complete trace)", () => {
    const file = join(dir, traceFileName(2));
    const w = new TraceWriter(file, 2);
    w.write({ kind: "input", input: { type: "tick" } });
    expect(readBack(file)).toEqual([{ seq: 0, node: 2, kind: "input", input: { type: "tick" } }]);
    w.write({ kind: "input", input: { type: "tick" } });
    expect(readBack(file).map((r) => r.seq)).toEqual([0, 1]);
    w.close();
  });

  it("appends a restarted node's records after its earlier run, and writes nothing once closed", () => {
    const file = join(dir, traceFileName(3));
    const first = new TraceWriter(file, 3);
    const n = run(first, 1).length;
    first.close();
    first.write({ kind: "input", input: { type: "tick" } });
    first.close();
    const second = new TraceWriter(file, 3);
    const m = run(second, 2).length;
    second.close();
    const back = readBack(file);
    expect(back).toHaveLength(n + m);
    expect(back[0]?.kind).toBe("start");
    expect(back[n]).toMatchObject({ seq: 0, kind: "start", seed: 2 });
  });
});
