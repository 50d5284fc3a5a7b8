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
  type HistoryEntry,
  movingAverage,
  normaliseMac,
  type UpdateInput,
} from './history.js';
export {
  defaultDataDir,
  HISTORY_FILE,
  type OpenHistoryOptions,
  openHistory,
  redisUrlFrom,
} from './open-history.js';
export { type PyValue, parsePython, pyFloat, toPython } from './pyliteral.js';
