import { existsSync, statSync, writeFileSync } from "node:fs";
import type { TraceReport } from "@adore/refinement";
import type { Command } from "commander";

/** Prints a trace report; returns the exit code (0 valid, 1 invalid). */
export function printTraceReport(r: TraceReport, out: (l: string) => void): number {
  for (const n of r.nodes)
    out(
      `S${n.node}: ${n.runs} run(s), ${n.inputs} inputs replayed, ${n.eventsChecked} events identical, final term ${n.finalTerm}, commit ${n.finalCommit}${n.mismatches.length ? `, ${n.mismatches.length} MISMATCHES` : ""}`,
    );
  out(
    `terms with a leader: ${r.leaders.size} (one leader each: ${r.violations.some((v) => v.startsWith("election")) ? "no" : "yes"})`,
  );
  out(`applied indices compared across nodes: ${r.appliedIndices}`);
  for (const v of r.violations.slice(0, 20)) out(`  ✗ ${v}`);
  if (r.violations.length > 20) out(`  … ${r.violations.length - 20} more`);
  out(r.ok ? "valid" : "INVALID");
  return r.ok ? 0 : 1;
}

/** `adore validate <trace-dir>`: offline validation of the NDJSON traces a cluster recorded. */
export function addValidateCommand(program: Command): void {
  program
    .command("validate")
    .argument(
      "<trace-dir>",
      "directory holding trace-<id>.ndjson files (recorded with --trace / cluster up --traces)",
    )
    .description(
      "validate recorded protocol traces: replay every node's inputs through the core (events must match), then check election and state-machine safety across nodes",
    )
    .option("--svg <file>", "write the run's ADORE cache tree (summarized) as SVG")
    .option("--json <file>", "write the run's ADORE view as JSON (open it in `adore ui --run <file>`)")
    .action(async (dir: string, o: { svg?: string; json?: string }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        process.stderr.write(`adore validate: ${dir} is not a directory\n`);
        process.exitCode = 2;
        return;
      }
      // the refinement suite is loaded when the command runs, not with the program
      const { adoreViewOfTraces, refineTraceDir, renderRunSvg, TraceFormatError, validateTraceDir } =
        await import("@adore/refinement");
      try {
        const out = (l: string) => process.stdout.write(`${l}\n`);
        const report = validateTraceDir(dir);
        let code = printTraceReport(report, out);
        const view = adoreViewOfTraces(report);
        out(
          `ADORE: ${view.steps} pull/invoke/reconfig/push steps, ${view.refused.length} refused by the paper's rules; ` +
            `Replicated State Safety ${view.safety === null ? "holds" : `FAILS: ${view.safety}`}`,
        );
        for (const r of view.refused.slice(0, 10)) out(`  refused: ${r}`);
        if (view.safety !== null) code = 1;
        const g = refineTraceDir(dir);
        const f = g.failure;
        out(
          `refinement (lagging mapping, relation R at every step): ${
            f
              ? `FAILED: ${f.kind}: ${f.message} (step ${f.step} of ${g.inputs}, S${f.node} ${f.input} at ${f.file}:${f.line})`
              : `ok (${g.steps} inputs in one causal order, ${g.adoreSteps} ADORE steps)`
          }`,
        );
        if (f) code = 1;
        if (o.svg) {
          writeFileSync(o.svg, renderRunSvg(view, `cache tree of ${dir}`));
          out(`cache tree: ${o.svg}`);
        }
        if (o.json) {
          const { writeAdoreViewJson } = await import("./ui-run.js");
          writeAdoreViewJson(o.json, view, `ADORE view of ${dir}`);
          out(`ADORE view: ${o.json} (adore ui --run ${o.json})`);
        }
        process.exitCode = code;
      } catch (e) {
        if (!(e instanceof TraceFormatError)) throw e;
        process.stderr.write(`adore validate: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
