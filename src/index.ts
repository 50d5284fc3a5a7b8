/**
 * networkml as a library: the typed API the CLI and the service are thin shells over. From a capture of one
 * device's traffic: its role (top 3 of the model's labels, or Unknown) and whether it behaves normally.
 *
 *   import { evaluateCapture } from 'networkml';
 *   const result = await evaluateCapture('capture.pcap');   // CaptureResult, the original's message shape
 */

export { readCapture } from './capture/reader.js';
export type { CaptureSummary, CaptureWarning, ReadOptions } from './capture/reader-api.js';
export {
  type DeviceHistory,
  type DeviceUpdate,
  type HistoryEntry,
  movingAverage,
} from './decisions/history.js';
export { defaultDataDir, type OpenHistoryOptions, openHistory } from './decisions/open-history.js';
export {
  CaptureError,
  ExitCode,
  type ExitCodeValue,
  errorMessage,
  ModelError,
  NetworkmlError,
  UsageError,
} from './errors.js';
export type { FeatureSemantics } from './features/semantics.js';
export {
  DEFAULT_MODEL_PATH,
  DEFAULT_SOS_MODEL_PATH,
  type LoadedModel,
  loadModel,
  saveModel,
} from './models/format.js';
export {
  applyUnknownThreshold,
  captureNovelty,
  captureNoveltyOf,
  predictBins,
  predictCapture,
  type RoleAlgorithm,
  type RoleModel,
  type TrainOptions,
  type TrainReport,
  trainRoleModel,
  UNKNOWN_LABEL,
} from './models/role-model.js';
export { type CaptureExplanation, explainCapture } from './outputs/explain.js';
export { type InspectRecord, inspectRecord } from './outputs/inspect.js';
export {
  type AnalyzeOptions,
  analyzeCapture,
  analyzeHosts,
  type CaptureAnalysis,
} from './pipeline/analyze.js';
export {
  type AnomalyModelName,
  applyHistory,
  type EvaluateOptions,
  type Evaluation,
  evaluateCapture,
  evaluateCaptureDetailed,
  evaluateHosts,
  type HistoryPort,
  type HostEvaluation,
} from './pipeline/evaluate.js';
export { historyPort } from './pipeline/history-port.js';
export { lstmFor, roleModelFor } from './pipeline/model-registry.js';
export { type WatchOptions, type WatchUpdate, watchCapture } from './pipeline/watch.js';
export {
  type BinDetail,
  type CaptureResult,
  type Classification,
  captureResultSchema,
  type DeviceDecisions,
  type DeviceResult,
  type ValidDeviceResult,
} from './result.js';
export {
  type CompatTrainSummary,
  type SosTrainSummary,
  type TrainAlgorithm,
  type TrainRunOptions,
  type TrainSummary,
  trainFromCaptures,
  type V2TrainSummary,
} from './training/run.js';
export { trainV2Model, type V2TrainOptions, type V2TrainReport } from './training/v2-recipe.js';
export { VERSION } from './version.js';
