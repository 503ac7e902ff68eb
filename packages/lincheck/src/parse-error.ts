export type HistoryFormat = "jepsen-register" | "edn-kv" | "ndjson";

export const HISTORY_FORMATS: readonly HistoryFormat[] = ["jepsen-register", "edn-kv", "ndjson"];

/** A malformed history: where (1-based line, field), what was expected and what was found. */
export class HistoryParseError extends SyntaxError {
  constructor(
    readonly format: HistoryFormat,
    /** 1-based; undefined for a problem with the file as a whole. */
    readonly line: number | undefined,
    /** The offending field, when the problem is one field's. */
    readonly field: string | undefined,
    readonly expected: string,
    /** What was found instead, as written in the file (shortened). */
    readonly got?: string,
  ) {
    super(
      `${line === undefined ? "" : `line ${line}: `}${field === undefined ? "" : `${field}: `}expected ${expected}${
        got === undefined ? "" : `, got ${got}`
      }`,
    );
    this.name = "HistoryParseError";
  }
}

/** Quote a piece of input for an error message, cut to a readable length. */
export const excerpt = (s: string, max = 60): string => {
  const q = JSON.stringify(s);
  return q.length <= max ? q : `${q.slice(0, max - 2)}…"`;
};
