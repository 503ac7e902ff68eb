// The client protocol: codec-encoded values in length-prefixed frames on the client port.
//   request  {id, op, clientId?, seq?, …op fields}
//   response {id, ok: true, result} | {id, ok: false, error: WireError}
import type { WireError } from "./errors.js";

export const CLIENT_PROTOCOL_VERSION = 1;
/** Largest client frame (a value is at most 1 MiB by default; range results can be bigger). */
export const CLIENT_MAX_FRAME = 32 * 1024 * 1024;

export type ClientOp =
  | "get"
  | "put"
  | "del"
  | "cas"
  | "range"
  | "status"
  | "member-list"
  | "member-add"
  | "member-remove"
  | "member-promote"
  | "member-learner"
  | "member-set"
  | "transfer";

export const CLIENT_OPS: ReadonlySet<string> = new Set<ClientOp>([
  "get",
  "put",
  "del",
  "cas",
  "range",
  "status",
  "member-list",
  "member-add",
  "member-remove",
  "member-promote",
  "member-learner",
  "member-set",
  "transfer",
]);

/** Ops that change the key-value state: they carry a session (clientId, seq). */
export const WRITE_OPS: ReadonlySet<string> = new Set(["put", "del", "cas", "range"]);

export interface ClientRequest {
  readonly id: number;
  readonly op: ClientOp;
  readonly clientId?: string;
  readonly seq?: number;
  readonly key?: string;
  readonly value?: string;
  readonly expected?: string | null;
  readonly prefix?: string;
  readonly limit?: number;
  /** Membership ops: the node concerned, its addresses, a CAS on the configuration index. */
  readonly node?: number;
  readonly peerAddr?: string;
  readonly clientAddr?: string;
  readonly ifConfigIndex?: number;
  /** member-set: the configuration in the scheme's syntax, and the learners. */
  readonly config?: string;
  readonly learners?: readonly number[];
}

export type ClientResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };
