import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { lincheckCommand } from "../src/lincheck.js";

// <repo>/../shared/data/linearizability (vitest.shared.ts finds it)
const DATA = process.env.ADORE_LINEARIZABILITY_DATA ?? "";
const haveData = existsSync(`${DATA}etcd-jepsen/etcd_000.log`) && existsSync(`${DATA}kv/c01-ok.txt`);
if (!haveData) console.warn(`\n*** lincheck-cli: ${DATA} is absent: the shared histories are SKIPPED ***\n`);

const tmp = mkdtempSync(join(tmpdir(), "adore-lincheck-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(file: string, format: string, extra: Record<string, string | boolean> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = lincheckCommand(
    file,
    { format, ...extra },
    { out: (l) => out.push(l), progress: () => {} },
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe("adore lincheck", () => {
  it.skipIf(!haveData)("a linearizable etcd history: exit 0", () => {
    const r = run(`${DATA}etcd-jepsen/etcd_002.log`, "jepsen-register");
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe("linearizable");
    expect(r.err).toEqual([]);
  });

  it.skipIf(!haveData)("a non-linearizable etcd history: exit 1 with a fragment", () => {
    const r = run(`${DATA}etcd-jepsen/etcd_000.log`, "jepsen-register");
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe("not linearizable");
    expect(r.out.join("\n")).toMatch(/fragment/);
    expect(r.out.join("\n")).toMatch(/write\(\d+\)/);
  });

  it.skipIf(!haveData)("kv histories", () => {
    expect(run(`${DATA}kv/c01-ok.txt`, "edn-kv").code).toBe(0);
    const bad = run(`${DATA}kv/c01-bad.txt`, "edn-kv");
    expect(bad.code).toBe(1);
    expect(bad.out.join("\n")).toContain('key "7"');
  });

  it("an ndjson history", () => {
    const f = join(tmp, "h.ndjson");
    writeFileSync(
      f,
      [
        '{"client":0,"op":"put","key":"k","value":"v","call":1,"return":2,"outcome":"ok"}',
        '{"client":1,"op":"get","key":"k","call":3,"return":4,"outcome":"ok","result":null}',
      ].join("\n"),
    );
    const r = run(f, "ndjson");
    expect(r.code).toBe(1);
    expect(r.out.join("\n")).toContain("ns");
  });

  it.skipIf(!haveData)("a Jepsen log with fields separated by spaces (was: exit 2, 'got none')", () => {
    const f = join(tmp, "spaced.log");
    writeFileSync(f, readFileSync(`${DATA}etcd-jepsen/etcd_002.log`, "utf8").replace(/\t/g, "   "));
    const r = run(f, "jepsen-register");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe("linearizable");
  });

  it("a 50-client kv history: decided (exit 0 / 1), or exit 3 'unknown' when --timeout runs out", () => {
    const write = (name: string): string => {
      const f = join(tmp, name.replace(/\.gz$/, ""));
      const gz = readFileSync(
        fileURLToPath(new URL(`../../lincheck/test/fixtures/${name}`, import.meta.url)),
      );
      writeFileSync(f, gunzipSync(gz));
      return f;
    };
    const ok = write("lincheck-c50-ok.edn.gz");
    const bad = write("lincheck-c50-bad.edn.gz");
    expect(run(ok, "edn-kv", { timeout: "20000" }).code).toBe(0);
    expect(run(bad, "edn-kv", { timeout: "20000", shrinkTimeout: "300" }).code).toBe(1);
    const cut = run(ok, "edn-kv", { timeout: "1" });
    expect(cut.code).toBe(3);
    expect(cut.out[0]).toBe("unknown");
    expect(cut.err).toEqual([]);
  });

  it("an unreadable path: exit 2", () => {
    const r = run(join(tmp, "no-such-file.log"), "jepsen-register");
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join("\n")).toMatch(/cannot read .*no-such-file\.log/);
  });

  it("an unparsable file: exit 2 with the typed error (line, field)", () => {
    const f = join(tmp, "bad.log");
    writeFileSync(
      f,
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tbanana\n",
    );
    const r = run(f, "jepsen-register");
    expect(r.code).toBe(2);
    expect(r.err.join("\n")).toContain("HistoryParseError: line 2: value: expected");
  });

  it("a bad --format or --timeout: exit 2", () => {
    expect(run(join(tmp, "x"), "yaml").code).toBe(2);
    expect(run(join(tmp, "x"), "ndjson", { timeout: "soon" }).code).toBe(2);
  });
});
