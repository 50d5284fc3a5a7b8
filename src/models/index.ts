/** Role-model estimators, recipes and the model file format. */
export { benchmarkTraining, syntheticBins, type TrainingBenchmark } from './benchmark.js';
export {
  accuracy,
  argmaxRows,
  isCsr,
  isScaled,
  type Matrix,
  mCols,
  mMul,
  mMulTA,
  mRows,
  type ScaledCsr,
  softmaxRows,
  toDense,
} from './data.js';
export { ExtraTrees, type ForestParams, type ForestState, forestProba, RandomForest } from './forest.js';
export {
  canonicalJson,
  DEFAULT_MODEL_PATH,
  DEFAULT_SOS_MODEL_PATH,
  documentChecksum,
  type LoadedModel,
  loadModel,
  loadModelDocument,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelDocument,
  modelFileHash,
  modelToDocument,
  parseModel,
  parseModelDocument,
  saveModel,
  sha256Hex,
  writeModelDocument,
} from './format.js';
export { type LbfgsOptions, type LbfgsResult, lbfgs } from './lbfgs.js';
export { type LogisticParams, type LogisticState, MultinomialLogisticRegression } from './logistic.js';
export {
  argmax,
  type Csr,
  csrFromDense,
  csrFromRows,
  csrMatmul,
  csrMatmulTA,
  csrTakeCols,
  csrTakeRows,
  csrToDense,
  type Dense,
  fromRows,
  matmul,
  matmulTA,
  row,
  takeCols,
  takeRows,
  zeros,
} from './matrix.js';
export { MLP_DEFAULTS, OneLayerMLP, type OneLayerMLPParams, type OneLayerMLPState } from './mlp.js';
export {
  applyNormalisation,
  csrVStack,
  fitNormalisation,
  type Normalisation,
  type SelectionCandidate,
  type SelectionOptions,
  type SelectionResult,
  selectFeatures,
  shuffledColumnsCopy,
  shuffledColumnsCopyCsr,
} from './preprocess.js';
export { Rng, range } from './rng.js';
export {
  type Contribution,
  type Explanation,
  explain,
  type ForestRoleModel,
  hiddenRepresentation,
  type MlpWeights,
  type ModelSource,
  type OneLayerRoleModel,
  predictBins,
  predictCapture,
  type RankedLabels,
  type RoleAlgorithm,
  type RoleModel,
  selectedZ,
  TRAIN_DEFAULTS,
  type TrainingInfo,
  type TrainOptions,
  type TrainReport,
  topLabels,
  trainRoleModel,
  UNKNOWN_LABEL,
} from './role-model.js';
export { stratifiedKFold, stratifiedSplit } from './split.js';
export {
  applyTree,
  buildTree,
  type ColumnData,
  type TreeArrays,
  type TreeParams,
  toColumns,
  treePath,
} from './tree.js';
