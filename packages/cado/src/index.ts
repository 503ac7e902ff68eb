// Public API of @adore/cado: CADO, ADORE without reconfiguration (section 3), as its own Spec.
export type {
  CadoBounds,
  CadoModel,
  CadoOptions,
  CadoRejection,
  CadoRule,
  CadoSpec,
  CadoStep,
  QuorumSystem,
} from "./cado.js";
export {
  CadoInputError,
  cadoInvariants,
  cadoModel,
  cadoSpec,
  cadoStep,
  fixedConfiguration,
  fromAdoreStep,
  toAdoreStep,
} from "./cado.js";
