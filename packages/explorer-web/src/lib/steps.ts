import type { AdoreStep, NodeSet } from "@adore/adore-core";
import { ConfigSyntaxError, parseNodeSet, type RegisteredScheme } from "@adore/schemes";

/** A step text that does not read as a step; `why` says which part and what was expected. */
export class StepSyntaxError extends SyntaxError {
  constructor(
    readonly text: string,
    readonly why: string,
  ) {
    super(`cannot read step ${JSON.stringify(text)}: ${why}`);
    this.name = "StepSyntaxError";
  }
}

const SYNTAX =
  "pull(S1, Q={1,2,3}, t=1) · invoke(S1, m1) · reconfig(S1, <config>) · push(S1, Q={1,2}, C_M=#5) · push(S1) fails";

/** The step syntax the page reads: the one `showStep` (and so the CLI) prints. */
export const STEP_SYNTAX = SYNTAX;

function nid(text: string, part: string): number {
  const m = /^S?(\d+)$/.exec(part.trim());
  if (!m) throw new StepSyntaxError(text, `node: ${JSON.stringify(part.trim())} is not a node like S1`);
  return Number(m[1]);
}

function nodes(text: string, part: string, field: string): NodeSet {
  try {
    return parseNodeSet("step", text, part, field);
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw new StepSyntaxError(text, e.why);
    throw e;
  }
}

function count(text: string, part: string, field: string): number {
  const p = part.trim();
  if (!/^\d+$/.test(p)) throw new StepSyntaxError(text, `${field}: ${JSON.stringify(p)} is not a number`);
  return Number(p);
}

/**
 * Reads one ADORE step as `showStep` prints it (`pull(S1, Q={1,2,3}, t=1)`, …); the labels
 * `S`, `Q=`, `t=`, `C_M=#` may be left out. A reconfig's configuration is in the scheme's own
 * syntax. Throws StepSyntaxError naming the part that does not read.
 */
export function parseStep(entry: RegisteredScheme<unknown>, text: string): AdoreStep<unknown> {
  const t = text.trim();
  const fail = /^(pull|invoke|reconfig|push)\s*\(\s*(S?\d+)\s*\)\s*fails$/.exec(t);
  if (fail)
    return { op: "fail", nid: nid(t, fail[2]!), of: fail[1] as "pull" | "invoke" | "reconfig" | "push" };
  const m = /^(pull|invoke|reconfig|push)\s*\(([\s\S]*)\)$/.exec(t);
  if (!m) throw new StepSyntaxError(t, `expected one of: ${SYNTAX}`);
  const op = m[1]!;
  const body = m[2]!;
  const comma = body.indexOf(",");
  if (comma < 0) throw new StepSyntaxError(t, `${op} takes a node and its oracle choices: ${SYNTAX}`);
  const who = nid(t, body.slice(0, comma));
  const rest = body.slice(comma + 1).trim();
  switch (op) {
    case "pull": {
      const p = /^(?:Q\s*=\s*)?(\{[^}]*\})\s*,\s*(?:t\s*=\s*)?(\S+)$/.exec(rest);
      if (!p) throw new StepSyntaxError(t, "pull: expected pull(S<n>, Q={…}, t=<time>)");
      return { op: "pull", nid: who, Q: nodes(t, p[1]!, "Q"), t: count(t, p[2]!, "t") };
    }
    case "push": {
      const p = /^(?:Q\s*=\s*)?(\{[^}]*\})\s*,\s*(?:C_M\s*=\s*)?#?(\S+)$/.exec(rest);
      if (!p) throw new StepSyntaxError(t, "push: expected push(S<n>, Q={…}, C_M=#<cid>)");
      return { op: "push", nid: who, Q: nodes(t, p[1]!, "Q"), cm: count(t, p[2]!, "C_M") };
    }
    case "invoke":
      if (rest === "") throw new StepSyntaxError(t, "invoke: the method is missing");
      return { op: "invoke", nid: who, method: rest };
    default:
      try {
        return { op: "reconfig", nid: who, ncf: entry.parse(rest) };
      } catch (e) {
        if (e instanceof ConfigSyntaxError)
          throw new StepSyntaxError(t, `reconfig: ${e.why} (syntax: ${entry.syntax})`);
        throw e;
      }
  }
}
