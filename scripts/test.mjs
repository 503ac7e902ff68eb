// The project's test command (README, .ci/run): reference check, package-map check, type-check of the whole
// graph (tsc -b), lint, then every package's vitest suite in one run. Ends with the plain
// line "N passed, N failed" that CI reads.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (n) => join(root, "node_modules", ".bin", n);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
const run = (label, cmd, args) => {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  return r.status ?? 1;
};

let failedSteps = 0;
// CI never skips a test for want of a peer: the browser test (packages/explorer-web/test/browser.test.ts)
// gets its chromium, the built CLI's benchmark test (packages/cli/test/built-cli.test.ts) its etcd
if (process.env.CI && process.env.CI !== "false") {
  failedSteps += run("chromium for the browser test", "sh", [join(root, "scripts", "install-chromium.sh")])
    ? 1
    : 0;
  failedSteps += run("etcd for the benchmark test", "sh", [join(root, "scripts", "install-etcd.sh")]) ? 1 : 0;
}
failedSteps += run("project references", process.execPath, [join(root, "scripts", "check-refs.mjs")]) ? 1 : 0;
failedSteps += run("package map", process.execPath, [join(root, "scripts", "check-deps.mjs")]) ? 1 : 0;
failedSteps += run("type-check (tsc -b)", bin("tsc"), ["-b"]) ? 1 : 0;
failedSteps += run("lint (biome)", bin("biome"), ["check", "."]) ? 1 : 0;

const report = join(root, ".vitest-results.json");
rmSync(report, { force: true });
const vitestStatus = run("tests (vitest)", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
}
if (vitestStatus !== 0 && failed === 0) failed = 1; // a crash or a failing suite counts
failed += failedSteps;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
