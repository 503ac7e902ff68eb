import type { AdoreStep, ExploreProgress, ExploreResult } from "@adore/adore-core";
import type { ModelConfig } from "../lib/model.js";

/** Page → worker: run adore-core's explorer on this model. */
export interface ExploreRequest {
  readonly type: "explore";
  readonly config: ModelConfig;
}

/** Worker → page. A violation's trace comes back as its steps; the page replays them (states are not sent). */
export type WorkerMessage =
  | { readonly type: "progress"; readonly progress: ExploreProgress }
  | {
      readonly type: "done";
      readonly result: Omit<ExploreResult<unknown, unknown>, "violation"> & {
        readonly violation?: {
          readonly invariant: string;
          readonly message: string;
          readonly steps: readonly AdoreStep<unknown>[];
        };
      };
    }
  | { readonly type: "error"; readonly message: string };
