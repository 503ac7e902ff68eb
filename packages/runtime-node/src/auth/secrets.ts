// Reading secrets from flags or files, without ever echoing them.
import { readFileSync } from "node:fs";

/**
 * A secret given inline or in a file (trailing newlines of the file are dropped). Returns undefined
 * if neither is given; throws if both are, or if the file is unreadable or empty. Error messages
 * name the file, never the content.
 */
export function readSecret(
  inline: string | undefined,
  file: string | undefined,
  what: string,
): string | undefined {
  if (inline !== undefined && file !== undefined)
    throw new Error(`give ${what} inline or in a file, not both`);
  if (inline !== undefined) {
    if (inline.length === 0) throw new Error(`${what} is empty`);
    return inline;
  }
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new Error(`cannot read ${what} file ${file} (${code})`);
  }
  const s = text.replace(/[\r\n]+$/, "");
  if (s.length === 0) throw new Error(`${what} file ${file} is empty`);
  return s;
}

/** PEM material for a TLS listener, read from files. */
export function readTlsFiles(cert: string, key: string): { cert: Buffer; key: Buffer } {
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw new Error(`cannot read TLS ${what} ${f} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    }
  };
  return { cert: read(cert, "certificate"), key: read(key, "key") };
}
