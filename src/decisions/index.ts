export {
  behaviorOf,
  DEFAULT_LOOK_TIME,
  DEFAULT_THRESHOLD,
  type DecisionInput,
  decide,
  UNKNOWN_LABEL,
} from './decide.js';
export {
  buildEntry,
  DEFAULT_TIME_CONSTANT,
  type DeviceHistory,
  defaultDataDir,
  HISTORY_FILE,
  type HistoryEntry,
  movingAverage,
  normaliseMac,
  type OpenHistoryOptions,
  openHistory,
  redisUrlFrom,
  type UpdateInput,
} from './history.js';
export { type PyValue, parsePython, pyFloat, toPython } from './pyliteral.js';
