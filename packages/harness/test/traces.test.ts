// Recorded NDJSON traces of a real multi-process run validate offline, and a tampered trace does not.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adoreViewOfTraces, renderRunSvg, validateTraceDir } from "@adore/refinement";
import { afterAll, describe, expect, it } from "vitest";
import { AdoreClient } from "@adore/runtime-node";
import { LocalCluster } from "@adore/runtime-node";

const root = mkdtempSync(join(tmpdir(), "adore-traces-"));
let cluster: LocalCluster | undefined;
afterAll(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("recorded traces of a 3-process cluster", () => {
  it("replay through the core and pass the cross-node checks; a forged event is caught", async () => {
    const dir = join(root, "run");
    cluster = await LocalCluster.start({
      ids: [1, 2, 3],
      dir,
      traces: true,
      logLevel: "warn",
      clusterId: "traces",
    });
    const c = new AdoreClient({ endpoints: cluster.endpoints, attemptTimeoutMs: 2000, timeoutMs: 20_000 });
    for (let i = 0; i < 60; i++) await c.put(`k${i % 7}`, `v${i}`);
    // a crash and a restart in the middle: the trace gets a second run
    await cluster.restartNode(2);
    for (let i = 0; i < 20; i++) await c.put(`after${i}`, `w${i}`);
    c.close();
    await cluster.stop();
    cluster = undefined;

    const report = validateTraceDir(dir);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.nodes).toHaveLength(3);
    expect(report.nodes.find((n) => n.node === 2)!.runs).toBe(2);
    expect(report.appliedIndices).toBeGreaterThanOrEqual(80);

    // the leaders' steps are ADORE steps under the paper's rules, and the tree is safe
    const view = adoreViewOfTraces(report);
    expect(view.refused).toEqual([]);
    expect(view.safety).toBeNull();
    expect(view.steps).toBeGreaterThan(80);
    expect(renderRunSvg(view, "t")).toMatch(/^<svg/);

    // forge one recorded event: the replay no longer matches
    const forged = join(root, "forged");
    cpSync(dir, forged, { recursive: true });
    const f = join(forged, "trace-1.ndjson");
    const lines = readFileSync(f, "utf8").split("\n");
    const i = lines.findIndex((l) => l.includes('"commitAdvanced"'));
    expect(i).toBeGreaterThan(0);
    lines[i] = lines[i]!.replace(/"to":(\d+)/, (_, n: string) => `"to":${Number(n) + 1}`);
    writeFileSync(f, lines.join("\n"));
    const bad = validateTraceDir(forged);
    expect(bad.ok).toBe(false);
    expect(bad.violations.join("\n")).toMatch(/S1 replay: line \d+: replay gives/);
  });
});
