import fc from "fast-check";

// One knob for every property test in the workspace: FC_NUM_RUNS=1000 FC_SEED=42 pnpm test
fc.configureGlobal({
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});
