/**
 * "v2" header features (docs/features-v2.md): the public API. Modules: names (feature groups and names),
 * blocks + layout (offsets derived from declared blocks), tables (per-packet lookup tables), interning
 * (addresses and host keys), summary (bin close → features), extractor (the streaming pass), result.
 */
export { V2Extractor, type V2Options } from './extractor.js';
export {
  type FeatureGroup,
  PORT_LABELS,
  V2_FEATURE_COUNT,
  V2_FEATURE_COUNTS,
  V2_FEATURE_GROUPS,
  V2_GROUP_LAYOUT,
  V2_OWN_COUNT,
  V2_PORT_COUNT,
  V2_PORT_OFFSET,
  V2_STORED_COUNT,
  v2FeatureNames,
  v2FeatureVersion,
} from './names.js';
export { deviceVectors, type V2Bin, type V2Host, type V2Result } from './result.js';
export { log10Seconds } from './tables.js';
