// The fault harness's summary as a table (what the long-run script and the tests print).
import type { FaultSummary } from "./harness.js";

const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - s.length));
const lpad = (s: string, w: number) => " ".repeat(Math.max(0, w - s.length)) + s;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const numeric = header.map((_, c) => c > 0 && rows.every((r) => /^-?[\d.]+$/.test(r[c] ?? "")));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (numeric[c] ? lpad(cell, w[c]!) : pad(cell, w[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)];
}

/** The summary as lines of text: operations, faults, reconfigurations, verdicts, durations. */
export function formatFaultSummary(s: FaultSummary): string[] {
  const out: string[] = [];
  out.push(
    `fault run: seed ${s.seed}, ${s.nodes} nodes, ${s.scheme}, ${s.clients} clients, ${s.keysUsed} keys — ${s.ok ? "PASS" : "FAIL"}`,
  );
  out.push("");
  const opRows = Object.entries(s.operations).map(([k, c]) => [
    k,
    String(c.ok),
    String(c.fail),
    String(c.unknown),
    String(c.ok + c.fail + c.unknown),
  ]);
  const tot = Object.values(s.operations).reduce(
    (a, c) => ({ ok: a.ok + c.ok, fail: a.fail + c.fail, unknown: a.unknown + c.unknown }),
    { ok: 0, fail: 0, unknown: 0 },
  );
  opRows.push(["total", String(tot.ok), String(tot.fail), String(tot.unknown), String(s.totalOperations)]);
  out.push(...table(["operations", "ok", "fail", "unknown", "total"], opRows));
  out.push(`  (cas: ${s.casSwapped} swapped, ${s.casNotSwapped} not swapped)`);
  out.push("");
  const fRows = Object.entries(s.faults).map(([k, n]) => [k, String(n)]);
  fRows.push(["(skipped: no target)", String(s.faultsSkipped)]);
  out.push(...table(["faults injected", "count"], fRows));
  out.push(
    `  network: ${s.network.accepted} proxied connections, ${s.network.severed} severed by cuts, ${s.network.refused} refused while cut`,
  );
  out.push("");
  const r = s.reconfigurations;
  const rRows = Object.entries(r.done).map(([k, n]) => [`done: ${k}`, String(n)]);
  for (const [k, n] of Object.entries(r.refused)) rRows.push([`refused: ${k}`, String(n)]);
  rRows.push(["outcome unknown (timeout)", String(r.unknown)]);
  rRows.push(["skipped (no leader / change in progress)", String(r.skipped)]);
  for (const [k, n] of Object.entries(r.misuse.refused))
    rRows.push([`misuse refused as expected: ${k}`, String(n)]);
  rRows.push([
    "misuse accepted or changed the cluster",
    String(r.misuse.accepted.length + r.misuse.changed.length),
  ]);
  out.push(...table(["reconfigurations", "count"], rRows));
  out.push("");
  const v = s.verdicts;
  out.push(
    ...table(
      ["verdict", "result"],
      [
        ["linearizability (kv model)", v.linearizability],
        [
          "acknowledged write-once keys",
          `${v.writeOnce} (${s.writeOnce.acknowledged} acknowledged, ${s.writeOnce.lost.length} lost)`,
        ],
        [
          "protocol traces",
          `${v.traces} (${s.traces.nodes} nodes, ${s.traces.inputs} inputs, ${s.traces.terms} terms, ${s.traces.appliedIndices} indices; refinement to ADORE: ${s.traces.adoreSteps} steps)`,
        ],
        ["settled", `${v.settled} (${s.settle.detail})`],
        ["safety alarms in logs", String(v.safetyAlarms)],
        ["membership misuses refused, cluster unchanged", String(v.misusesRefused)],
        [
          "peer traffic through the proxies",
          v.directBypasses.length === 0 ? "yes (every directory names the proxies)" : "NO",
        ],
      ],
    ),
  );
  out.push("");
  const d = s.durationsMs;
  out.push(
    `durations: start ${secs(d.start)}, workload ${secs(d.workload)}, settle ${secs(d.settle)}, final reads ${secs(d.finalReads)}, lincheck ${secs(d.lincheck)}, traces ${secs(d.traces)}, total ${secs(d.total)}`,
  );
  if (v.linearizability !== "linearizable") out.push("", ...s.lincheck);
  for (const l of s.writeOnce.lost.slice(0, 10)) out.push(`lost: ${l}`);
  for (const l of s.writeOnce.phantom.slice(0, 10)) out.push(`phantom: ${l}`);
  for (const l of s.traces.violations.slice(0, 10)) out.push(`trace: ${l}`);
  for (const l of v.directBypasses.slice(0, 10)) out.push(`bypass: ${l}`);
  for (const l of [...s.reconfigurations.misuse.accepted, ...s.reconfigurations.misuse.changed].slice(0, 10))
    out.push(`misuse: ${l}`);
  return out;
}
