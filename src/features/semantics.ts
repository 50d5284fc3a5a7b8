/**
 * Which feature set a model was trained on, and so which one evaluation computes: `compat`, the original's
 * 4,104 port shares (bit for bit), or `v2`, the corrected header features (docs/features-v2.md).
 */
export type FeatureSemantics = 'compat' | 'v2';
