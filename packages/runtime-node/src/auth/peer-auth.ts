// Peer authentication: an HMAC-SHA256 challenge–response bound into the transport's hello handshake.
//
//   dialer   → acceptor  hello     {clusterId, nodeId: a, to: b, protocol, nonce: Na}
//   acceptor → dialer    challenge {nonce: Nb}
//   dialer   → acceptor  auth      {proof: HMAC(K, "dialer"   ‖ clusterId ‖ a ‖ b ‖ Na ‖ Nb)}
//   acceptor → dialer    helloOk   {proof: HMAC(K, "acceptor" ‖ clusterId ‖ a ‖ b ‖ Na ‖ Nb)}
//
// K is derived from the cluster secret. Both nonces are 32 fresh random bytes, so a proof is good
// for one connection only; the role label stops a proof being reflected back, and the ids and the
// cluster id stop it being replayed towards another node or cluster. The acceptor — the side any
// stranger can reach — proves nothing until the dialer has proved itself, so a stranger cannot
// collect MACs to guess a weak secret offline. Proofs are compared with crypto.timingSafeEqual.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Bytes of a handshake nonce. */
export const NONCE_BYTES = 32;
/** Bytes of a proof (HMAC-SHA256). */
export const PROOF_BYTES = 32;
const LABEL = "adore/peer-auth/v1";

export type PeerRole = "dialer" | "acceptor";

/** The fields a proof is bound to. */
export interface HandshakeBinding {
  readonly clusterId: string;
  /** The connecting node. */
  readonly dialer: number;
  /** The node connected to. */
  readonly acceptor: number;
  readonly dialerNonce: Uint8Array;
  readonly acceptorNonce: Uint8Array;
}

/**
 * A cluster secret in a form that cannot leak by accident: the raw secret is hashed into a key at
 * once and not kept; `toString`, `toJSON` and `inspect` all print "[redacted]".
 */
export class ClusterSecret {
  readonly #key: Buffer;
  constructor(secret: string | Uint8Array) {
    const raw = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
    if (raw.length === 0) throw new RangeError("the cluster secret is empty");
    this.#key = createHash("sha256").update(LABEL).update(raw).digest();
    raw.fill(0);
  }

  /** The proof of `role` for this handshake. */
  proof(role: PeerRole, b: HandshakeBinding): Buffer {
    const h = createHmac("sha256", this.#key);
    const cluster = Buffer.from(b.clusterId, "utf8");
    const head = Buffer.alloc(4 * 3);
    head.writeUInt32BE(cluster.length, 0);
    head.writeUInt32BE(b.dialer >>> 0, 4);
    head.writeUInt32BE(b.acceptor >>> 0, 8);
    // length-prefixed fields: no two different bindings hash the same byte string
    h.update(LABEL)
      .update(role === "dialer" ? "\x01" : "\x02")
      .update(head)
      .update(cluster);
    h.update(lenPrefix(b.dialerNonce)).update(b.dialerNonce);
    h.update(lenPrefix(b.acceptorNonce)).update(b.acceptorNonce);
    return h.digest();
  }

  /** Does `proof` (untrusted wire data) prove knowledge of the secret for `role`? Constant time. */
  verify(role: PeerRole, b: HandshakeBinding, proof: unknown): boolean {
    if (!(proof instanceof Uint8Array) || proof.length !== PROOF_BYTES) return false;
    return timingSafeEqual(this.proof(role, b), proof);
  }

  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "ClusterSecret [redacted]";
  }
}

function lenPrefix(b: Uint8Array): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(b.length, 0);
  return out;
}

/** A fresh handshake nonce. */
export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** Is `v` (untrusted wire data) a well-formed nonce? */
export function isNonce(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === NONCE_BYTES;
}
