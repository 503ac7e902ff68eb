import { type BuiltModel, buildModel, FIG12_CONFIG, type ModelConfig } from "../src/lib/model.js";

/** The Fig. 12 model (raft-single, 4 nodes, raft-log pull), with R3 on or off. */
export function fig12Model(r3 = false, over: Partial<ModelConfig> = {}): BuiltModel {
  return buildModel({ ...FIG12_CONFIG, ...over, rules: { ...FIG12_CONFIG.rules, r3 } });
}
