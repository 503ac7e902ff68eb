// A reader for the part of EDN that Jepsen histories use: nil, booleans, numbers, strings,
// keywords, vectors, lists, sets and maps. One value per call; commas are whitespace.

export type Edn =
  | { readonly t: "nil" }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "number"; readonly v: number; readonly text: string }
  | { readonly t: "string"; readonly v: string }
  | { readonly t: "keyword"; readonly v: string }
  | { readonly t: "symbol"; readonly v: string }
  | { readonly t: "vector" | "list" | "set"; readonly v: readonly Edn[] }
  | { readonly t: "map"; readonly v: readonly (readonly [Edn, Edn])[] };

/** Where and why an EDN text could not be read (column is 1-based). */
export class EdnSyntaxError extends SyntaxError {
  constructor(
    readonly column: number,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`column ${column}: expected ${expected}, got ${got}`);
    this.name = "EdnSyntaxError";
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
};
const DELIMS = new Set([...'{}[]()"; \t\r\n,']);

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    const rest = this.text.slice(this.pos, this.pos + 20);
    throw new EdnSyntaxError(
      this.pos + 1,
      expected,
      rest === "" ? "the end of the line" : JSON.stringify(rest),
    );
  }

  skip(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === ";") this.pos = this.text.length;
      else if (c === " " || c === "\t" || c === "," || c === "\r" || c === "\n") this.pos++;
      else break;
    }
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !DELIMS.has(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  seq(close: string): Edn[] {
    const items: Edn[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) this.fail(`a value or '${close}'`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
    }
  }

  value(): Edn {
    this.skip();
    const c = this.text[this.pos];
    switch (c) {
      case undefined:
        return this.fail("a value");
      case "{": {
        this.pos++;
        const items = this.seq("}");
        if (items.length % 2 !== 0) {
          this.pos--;
          this.fail("a map with an even number of forms");
        }
        const pairs: (readonly [Edn, Edn])[] = [];
        for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
        return { t: "map", v: pairs };
      }
      case "[":
        this.pos++;
        return { t: "vector", v: this.seq("]") };
      case "(":
        this.pos++;
        return { t: "list", v: this.seq(")") };
      case "#":
        if (this.text[this.pos + 1] === "{") {
          this.pos += 2;
          return { t: "set", v: this.seq("}") };
        }
        return this.fail("a value (tagged literals are not supported)");
      case '"':
        return this.string();
      case "}":
      case "]":
      case ")":
        return this.fail("a value");
      default: {
        const tok = this.token();
        if (tok === "nil") return { t: "nil" };
        if (tok === "true" || tok === "false") return { t: "bool", v: tok === "true" };
        if (/^[+-]?\d+N?$/.test(tok) || /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?M?$/.test(tok))
          return { t: "number", v: Number(tok.replace(/[NM]$/, "")), text: tok };
        if (/^:[^\s:][^\s]*$/.test(tok)) return { t: "keyword", v: tok.slice(1) };
        if (/^[A-Za-z*!_?$%&=<>.+\-/][\w*!?$%&=<>.+\-/:#']*$/.test(tok)) return { t: "symbol", v: tok };
        this.pos -= tok.length;
        return this.fail("a value");
      }
    }
  }

  string(): Edn {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) return this.fail("a closing '\"'");
      this.pos++;
      if (c === '"') return { t: "string", v: out };
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos];
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 1, this.pos + 5))) {
        out += String.fromCharCode(Number.parseInt(this.text.slice(this.pos + 1, this.pos + 5), 16));
        this.pos += 5;
        continue;
      }
      const r = e === undefined ? undefined : ESCAPES[e];
      if (r === undefined) {
        this.pos--;
        return this.fail('an escape: \\" \\\\ \\n \\t \\r \\b \\f or \\uXXXX');
      }
      out += r;
      this.pos++;
    }
  }
}

/** Read exactly one EDN value from `text` (surrounding whitespace and comments allowed). */
export function readEdn(text: string): Edn | EdnSyntaxError {
  const r = new Reader(text);
  try {
    const value = r.value();
    r.skip();
    if (r.pos < text.length) r.fail("the end of the line after one value");
    return value;
  } catch (e) {
    if (e instanceof EdnSyntaxError) return e;
    throw e;
  }
}

/** Print a value back as EDN (for messages). */
export function showEdn(e: Edn): string {
  switch (e.t) {
    case "nil":
      return "nil";
    case "bool":
      return String(e.v);
    case "number":
      return e.text;
    case "string":
      return JSON.stringify(e.v);
    case "keyword":
      return `:${e.v}`;
    case "symbol":
      return e.v;
    case "vector":
      return `[${e.v.map(showEdn).join(" ")}]`;
    case "list":
      return `(${e.v.map(showEdn).join(" ")})`;
    case "set":
      return `#{${e.v.map(showEdn).join(" ")}}`;
    case "map":
      return `{${e.v.map(([k, v]) => `${showEdn(k)} ${showEdn(v)}`).join(", ")}}`;
  }
}
