#!/usr/bin/env bash
# Rebuilds the whole behaviour benchmark from a fresh clone (as root; needs ../shared/pcaps):
#   bash bench/behavior/run.sh [--out DIR] [--seed N] [--score]
# 1. installs the Debian tools, 2. generates the raw attack captures in network namespaces,
# 3. builds train/test captures and manifest.json, 4. (--score) scores lstm, sos, baseline, behavior.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=/work/behavior-bench
SEED=12
SCORE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --score) SCORE=1; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bash bench/behavior/install-tools.sh
bash bench/behavior/gen-attacks.sh --out "$OUT"
npx tsx bench/behavior/build.ts --out "$OUT" --seed "$SEED"
if [ "$SCORE" = 1 ]; then
  npx tsc -p tsconfig.build.json
  npx tsx bench/behavior/score.ts --manifest "$OUT/manifest.json" | tee "$OUT/score.md"
fi
