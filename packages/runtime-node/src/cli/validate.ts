import { existsSync, statSync } from "node:fs";
import { TraceFormatError, type TraceReport, validateTraceDir } from "@adore/refinement";
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
    .action((dir: string) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        process.stderr.write(`adore validate: ${dir} is not a directory\n`);
        process.exitCode = 2;
        return;
      }
      try {
        process.exitCode = printTraceReport(validateTraceDir(dir), (l) => process.stdout.write(`${l}\n`));
      } catch (e) {
        if (!(e instanceof TraceFormatError)) throw e;
        process.stderr.write(`adore validate: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
