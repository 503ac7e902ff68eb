// Which configuration a server acts on (the paper's rule: the latest in its log, committed or not).
import type { NodeSet } from "@adore/adore-core";
import type { RaftParams } from "../options.js";
import type { RaftServer } from "../server.js";
import type { Membership } from "../types.js";

/** A configuration in force and the index of the entry it came from (0: bootstrap). */
export interface ConfigAt<C> {
  readonly membership: Membership<C>;
  readonly index: number;
}

/**
 * The configuration the server acts on: the latest in its log (the paper's rule); the
 * `configAtCommit` mutant uses the latest committed one instead.
 */
export function effectiveConfig<C>(s: RaftServer<C>, p: RaftParams<C>): ConfigAt<C> {
  if (p.options.mutations.configAtCommit && s.config.index > s.commit) return s.log.configAt(s.commit);
  return s.config;
}

/** The configuration an entry at index n was appended under (the latest one at or before n). */
export function effectiveConfigAt<C>(s: RaftServer<C>, p: RaftParams<C>, n: number): C {
  if (p.options.mutations.configAtCommit) return s.log.configAt(Math.min(n, s.commit)).membership.config;
  // the latest configuration entry is known: only an index below it needs the log scanned
  if (n >= s.config.index) return s.config.membership.config;
  return s.log.configAt(n).membership.config;
}

/** The voters of the configuration in force (ADORE's mbrs of the branch's configuration). */
export function voters<C>(s: RaftServer<C>, p: RaftParams<C>): NodeSet {
  return p.adapter.scheme.mbrs(effectiveConfig(s, p).membership.config);
}
