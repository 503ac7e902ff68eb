// Client authentication: a bearer token sent in the first frame of a client connection.
//
//   client → node  {id: 0, op: "auth", token}
//   node → client  {id: 0, ok: true, result: {authenticated: true}}
//                | {id: 0, ok: false, error: {code: "Unauthenticated", message: "…"}} and close
//
// Tokens are compared as SHA-256 digests with crypto.timingSafeEqual (equal lengths, constant time,
// nothing learnt from the token's length). The token is never logged.

import { createHash, timingSafeEqual } from "node:crypto";

/** The op of the authentication frame (not a request op: it is answered before any request). */
export const CLIENT_AUTH_OP = "auth";
/** The id the authentication frame and its answer carry (request ids start at 1). */
export const CLIENT_AUTH_ID = 0;
/** Prefix of the message of a refused client: clients turn it into a non-retryable error. */
export const UNAUTHENTICATED = "Unauthenticated" as const;

export type ClientAuthFailure = "NoToken" | "BadToken";

/** The token a node requires, held as a digest (the raw token is not kept). */
export class ClientToken {
  readonly #digest: Buffer;
  constructor(token: string) {
    if (token.length === 0) throw new RangeError("the client token is empty");
    this.#digest = digest(token);
  }
  /** Checks an untrusted value from the wire; constant time in the token's content. */
  check(candidate: unknown): ClientAuthFailure | undefined {
    if (typeof candidate !== "string" || candidate.length === 0) return "NoToken";
    return timingSafeEqual(this.#digest, digest(candidate)) ? undefined : "BadToken";
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "ClientToken [redacted]";
  }
}

function digest(s: string): Buffer {
  return createHash("sha256").update("adore/client-token/v1\0").update(s, "utf8").digest();
}
