// The protocol trace a replica writes: raft-net's trace records (@adore/raft-net's trace.ts is the
// format), one a line, in `traceFile` — normally `traceFileName(id)` in a trace directory.

import { closeSync, openSync, writeSync } from "node:fs";
import type { NodeId } from "@adore/adore-core";
import { formatTraceRecord, type TraceBody } from "@adore/raft-net";

/**
 * The NDJSON protocol trace. Each line goes to the kernel with a synchronous write before the core
 * acts on the input, so a node killed with SIGKILL leaves a complete trace of what it did (an
 * asynchronous stream lost its last lines, and the offline refinement check then saw a follower
 * holding an entry whose append was missing from the leader's trace).
 */
export class TraceWriter<C = unknown> {
  private seq = 0;
  private readonly fd: number;
  private closed = false;

  /** Opens `file` for appending (a restarted node continues its file). */
  constructor(
    file: string,
    private readonly node: NodeId,
  ) {
    this.fd = openSync(file, "a");
  }

  /** Writes one record, numbered in this writer's order from 0; nothing once closed. */
  write(body: TraceBody<C>): void {
    if (this.closed) return;
    writeSync(this.fd, `${formatTraceRecord(this.seq++, this.node, body)}\n`);
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}
