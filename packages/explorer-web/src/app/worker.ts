// The explorer in a Web Worker: adore-core's own `explore` on the page's model, with progress
// reports; the page stops a run by terminating the worker.
import { explore } from "@adore/adore-core";
import { buildModel, USER_SCHEME } from "../lib/model.js";
import type { ExploreRequest, WorkerMessage } from "./protocol.js";
import { importSource } from "./user-module.js";

const post = (m: WorkerMessage) =>
  (self as unknown as { postMessage(m: WorkerMessage): void }).postMessage(m);

self.onmessage = async (ev: MessageEvent<ExploreRequest>) => {
  try {
    const { config } = ev.data;
    const mod =
      config.scheme === USER_SCHEME && config.userSource !== undefined
        ? await importSource(config.userSource)
        : undefined;
    const m = buildModel(config, mod);
    const res = explore(m.spec, {
      ...m.explore,
      progressIntervalMs: 250,
      onProgress: (progress) => post({ type: "progress", progress }),
    });
    const { violation, ...rest } = res;
    post({
      type: "done",
      result: {
        ...rest,
        ...(violation
          ? {
              violation: {
                invariant: violation.invariant,
                message: violation.message,
                steps: violation.trace.steps.map((s) => s.step),
              },
            }
          : {}),
      },
    });
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
