import type { RaftOptions } from "./options.js";
import type { Input, InputType, Membership, RaftEvent, Rejection, Reply } from "./types.js";

/**
 * One record of a replica's protocol trace, one JSON object a line in `trace-<id>.ndjson`: the
 * runtime writes it (every core input before the core acts on it, and what the core did), and the
 * refinement suite replays it through `stepServer` and maps it to ADORE. This type is the format.
 */
export type TraceRecord<C = unknown> = TraceStart<C> | TraceInput<C> | TraceOutput<C>;

interface TraceHead {
  /** Position in this node's trace, from 0. */
  readonly seq: number;
  readonly node: number;
}

/** The first record: how to rebuild the server (`newServer(node, membership, params, seed)`). */
export interface TraceStart<C> extends TraceHead {
  readonly kind: "start";
  readonly clusterId: string;
  readonly scheme: string;
  readonly seed: number;
  readonly options: RaftOptions;
  readonly election: string;
  /** The cluster's bootstrap membership (the same on every node). */
  readonly bootstrap: Membership<C>;
  /** The membership of the snapshot the server starts from. */
  readonly membership: Membership<C>;
}

/** An input to the core, recorded before the core steps on it. */
export interface TraceInput<C> extends TraceHead {
  readonly kind: "input";
  readonly input: Input<C>;
}

/** What the core did with the input before it (only when it produced events or refused it). */
export interface TraceOutput<C> extends TraceHead {
  readonly kind: "output";
  readonly input: InputType;
  readonly events: readonly RaftEvent<C>[];
  readonly rejected?: Rejection;
  readonly replies?: readonly Reply[];
}

/** A record without its position: what a writer hands over. */
export type TraceBody<C = unknown> =
  | Omit<TraceStart<C>, "seq" | "node">
  | Omit<TraceInput<C>, "seq" | "node">
  | Omit<TraceOutput<C>, "seq" | "node">;

export const TRACE_KINDS = ["start", "input", "output"] as const;

/** The trace file of node `id` in a trace directory. */
export function traceFileName(id: number): string {
  return `trace-${id}.ndjson`;
}

/** The node id of a trace file name, or undefined for any other file. */
export function traceFileNode(name: string): number | undefined {
  const m = /^trace-(\d+)\.ndjson$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** One line of the trace (without its newline). */
export function formatTraceRecord<C>(seq: number, node: number, body: TraceBody<C>): string {
  return JSON.stringify({ seq, node, ...body });
}

/**
 * Checks a parsed line against the format: the record, or what is wrong with it (the field and
 * the rule). Only the envelope is checked here; inputs are checked by `validateInput` on replay.
 */
export function checkTraceRecord(v: unknown): TraceRecord | string {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not an object";
  const r = v as Record<string, unknown>;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 0) return "seq: not a non-negative integer";
  if (!Number.isSafeInteger(r.node) || (r.node as number) < 1) return "node: not a node id";
  switch (r.kind) {
    case "start":
      if (typeof r.scheme !== "string") return "scheme: not a string";
      if (!Number.isFinite(r.seed)) return "seed: not a number";
      if (typeof r.options !== "object" || r.options === null) return "options: not an object";
      if (typeof r.membership !== "object" || r.membership === null) return "membership: not an object";
      return r as unknown as TraceStart<unknown>;
    case "input":
      if (
        typeof r.input !== "object" ||
        r.input === null ||
        typeof (r.input as { type?: unknown }).type !== "string"
      )
        return "input: not a core input";
      return r as unknown as TraceInput<unknown>;
    case "output":
      if (!Array.isArray(r.events)) return "events: not an array";
      return r as unknown as TraceOutput<unknown>;
    default:
      return `kind: ${JSON.stringify(r.kind)} is not one of ${TRACE_KINDS.join(", ")}`;
  }
}
