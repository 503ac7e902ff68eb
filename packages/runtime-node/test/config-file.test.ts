import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigFileError, expandConfigFile } from "../src/node/config-file.js";

const dir = mkdtempSync(join(tmpdir(), "adore-conf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe("node configuration files", () => {
  it("expands a file into flags placed before the explicit ones, after the subcommand words", () => {
    const f = file(
      "n1.json",
      JSON.stringify({
        id: 1,
        data: "./d1",
        clusterId: "prod",
        members: [1, 2, 3],
        preVote: true,
        quiet: false,
        peers: {
          "1": { peer: "127.0.0.1:7001", client: "127.0.0.1:8001" },
          "2": { peer: "h:7002", client: "h:8002" },
        },
      }),
    );
    const out = expandConfigFile(["node", "adore", "node", "start", "--config", f, "--id", "4"]);
    expect(out).toEqual([
      "node",
      "adore",
      "node",
      "start",
      "--id",
      "1",
      "--data",
      "./d1",
      "--cluster-id",
      "prod",
      "--members",
      "1,2,3",
      "--pre-vote",
      "--peers",
      "1=127.0.0.1:7001/127.0.0.1:8001,2=h:7002/h:8002",
      "--id",
      "4",
    ]);
  });

  it("bad files are typed errors naming the file and key", () => {
    expect(() => expandConfigFile(["n", "s", "--config", join(dir, "missing.json")])).toThrow(
      ConfigFileError,
    );
    expect(() => expandConfigFile(["n", "s", "--config", file("bad.json", "{nope")])).toThrow(/not JSON/);
    expect(() => expandConfigFile(["n", "s", "--config", file("arr.json", "[1]")])).toThrow(/JSON object/);
    expect(() =>
      expandConfigFile(["n", "s", "--config", file("p.json", '{"peers": {"1": {"peer": 3}}}')]),
    ).toThrow(/peers\.1/);
    expect(expandConfigFile(["n", "s", "kv", "get", "x"])).toEqual(["n", "s", "kv", "get", "x"]);
  });
});
