import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = new URL("../../../scripts/check-deps.mjs", import.meta.url).pathname;
const repo = new URL("../../..", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "adore-deps-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pkg(dir: string, deps: Record<string, string>, src: string) {
  mkdirSync(join(scratch, "packages", dir, "src"), { recursive: true });
  writeFileSync(
    join(scratch, "packages", dir, "package.json"),
    JSON.stringify({ name: `@adore/${dir}`, dependencies: deps }),
  );
  writeFileSync(join(scratch, "packages", dir, "src", "index.ts"), src);
}
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

describe("the package map check (scripts/check-deps.mjs)", () => {
  it("passes on this repository", () => {
    const r = run("--root", repo);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("fails when the service library imports a tool package, naming the file and what it may use", () => {
    writeFileSync(join(scratch, "package.json"), "{}");
    pkg("adore-core", {}, "export const x = 1;\n");
    pkg("refinement", { "@adore/adore-core": "workspace:*" }, 'export { x } from "@adore/adore-core";\n');
    pkg(
      "runtime-node",
      { "@adore/adore-core": "workspace:*", "@adore/refinement": "workspace:*" },
      'import { x } from "@adore/refinement";\nexport const y = x;\n',
    );
    const r = run("--root", scratch);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("packages/runtime-node/src/index.ts: imports @adore/refinement");
    expect(r.stderr).toContain(
      "packages/runtime-node/package.json: depends on @adore/refinement, outside its layer",
    );
  });

  it("fails on an undeclared third-party import in src", () => {
    pkg(
      "runtime-node",
      { "@adore/adore-core": "workspace:*" },
      'import pino from "pino";\nexport const p = pino;\n',
    );
    const r = run("--root", scratch);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("imports pino, not a dependency of packages/runtime-node");
  });
});
