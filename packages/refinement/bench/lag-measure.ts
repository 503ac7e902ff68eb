// Measures the lagging mappings M1–M3 on raft-net runs: failing runs by reason, shortest trace.
import { range, type Scheme } from "@adore/adore-core";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme, schemeNames } from "@adore/schemes";
import { lagHunt, type RunSpec, showLagOutcome } from "../src/refine/search.js";
import type { MappingName } from "../src/refine/lagging.js";

const seeds = Number(process.env.SEEDS ?? 100);
const steps = Number(process.env.STEPS ?? 300);
const maps = (process.env.MAPS ?? "M1,M2,M3").split(",") as MappingName[];
const schemes = process.env.SCHEMES ? process.env.SCHEMES.split(",") : schemeNames();
const sizes = (process.env.SIZES ?? "3,5").split(",").map(Number);
const profiles = (process.env.PROFILES ?? "hunt,soak").split(",");
const show = process.env.SHOW === "1";
for (const m of maps)
  for (const name of schemes)
    for (const n of sizes)
      for (const prof of profiles) {
        const reg = getScheme(name);
        const spec: RunSpec<unknown> = {
          scheme: reg.scheme as Scheme<unknown>,
          initial: reg.initial(n),
          universe: range(n),
          steps,
          ...(prof === "hunt" ? { weights: HUNT_WEIGHTS } : {}),
          ...(process.env.NOCOMPACT === "1"
            ? { weights: { ...(prof === "hunt" ? HUNT_WEIGHTS : {}), compact: 0 } }
            : {}),
        };
        const h = lagHunt(spec, m, 1, seeds);
        const rate = Math.round(h.raftSteps / (h.ms / 1000));
        console.log(
          `${m} ${name}/${n} ${prof}: ${h.failures}/${seeds} fail; ${rate} steps/s; ${[...h.byReason].map(([k, v]) => `${k}×${v}`).join(", ")}`,
        );
        if (h.shortest) {
          console.log(
            `   shortest: seed ${h.shortest.seed} step ${h.shortest.failure!.at}: ${h.shortest.failure!.message}`,
          );
          if (show) console.log(showLagOutcome(spec, h.shortest));
        }
      }
