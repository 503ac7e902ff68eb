import { readFileSync } from "node:fs";

/** A bad node configuration file: which file, which key, what is wrong. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}${key ? `: ${key}` : ""}: ${detail}`);
    this.name = "ConfigFileError";
  }
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Node configuration by file: `--config node.json` is replaced by the flags the file holds, placed
 * before the command line's own flags so that flags given explicitly win. Keys are the flag names
 * in camelCase or kebab-case (`id`, `data`, `clusterId`, `peers`, `tickMs`, …); `peers` may be the
 * flag's string or an object {"1": {"peer": "host:port", "client": "host:port"}, …}; arrays are
 * joined with commas; `true` is a bare flag, `false` leaves it out.
 */
export function expandConfigFile(argv: readonly string[]): string[] {
  const i = argv.findIndex((a) => a === "--config" || a.startsWith("--config="));
  if (i < 0) return [...argv];
  const arg = argv[i]!;
  const file = arg.includes("=") ? arg.slice("--config=".length) : argv[i + 1];
  if (!file) throw new ConfigFileError("--config", undefined, "needs a file name");
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigFileError(
      file,
      undefined,
      e instanceof SyntaxError ? `not JSON (${e.message})` : "cannot be read",
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new ConfigFileError(file, undefined, "must be a JSON object of flag names to values");
  const flags: string[] = [];
  for (const [key, v] of Object.entries(data)) {
    const flag = `--${kebab(key)}`;
    if (key === "config") throw new ConfigFileError(file, key, "a configuration file cannot include another");
    if (v === false || v === null) continue;
    if (v === true) flags.push(flag);
    else if (typeof v === "string" || typeof v === "number") flags.push(flag, String(v));
    else if (Array.isArray(v)) flags.push(flag, v.map(String).join(","));
    else if (key === "peers" && typeof v === "object") {
      const parts: string[] = [];
      for (const [id, a] of Object.entries(v as Record<string, unknown>)) {
        const p = a as { peer?: unknown; client?: unknown } | null;
        if (typeof p?.peer !== "string" || typeof p.client !== "string")
          throw new ConfigFileError(
            file,
            `peers.${id}`,
            'must be {"peer": "host:port", "client": "host:port"}',
          );
        parts.push(`${id}=${p.peer}/${p.client}`);
      }
      flags.push(flag, parts.join(","));
    } else throw new ConfigFileError(file, key, "must be a string, number, boolean or array");
  }
  const rest = [...argv];
  rest.splice(i, arg.includes("=") ? 1 : 2);
  // argv[0..1] are node and the script; the subcommand words come before the flags
  let at = 2;
  while (at < rest.length && !rest[at]!.startsWith("-")) at++;
  return [...rest.slice(0, at), ...flags, ...rest.slice(at)];
}
