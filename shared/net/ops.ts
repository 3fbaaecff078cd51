// Engine operations as data, their validation, and the exact commands each one runs; this module
// gathers them from ops-types, ops-shape/ops-validate and ops-commands so importers need one path.

export { type CommandStep, type NetOp, type NetOpName, OP_TITLES } from './ops-types'
export {
  MAX_OPS,
  namespaceRefProblem,
  opChecks,
  opNamespaceRefs,
  validateOp,
  validateOps,
} from './ops-validate'
export {
  APP_TAG,
  type NatBackend,
  NFT_DELETE_BY_COMMENT,
  NFT_TABLE,
  nftComment,
  opCommands,
  opCreates,
} from './ops-commands'
