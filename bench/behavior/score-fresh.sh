#!/bin/bash
# Scores the fresh-tools sets (gen-fresh*.sh, build.ts --split-from) with the models trained on each v5 split:
#   bash bench/behavior/score-fresh.sh OUTDIR   (needs /work/behavior-bench-{v5,s13-v5} and -fresh*-s12/-s13)
set -euo pipefail
O=$1; cd "$(dirname "$0")/../.."
for s in 12 13; do
  if [ $s = 12 ]; then M=/work/behavior-bench-v5/manifest.json; else M=/work/behavior-bench-s13-v5/manifest.json; fi
  W=$O/s$s; mkdir -p $W
  npx tsx bench/behavior/score.ts --manifest $M --work $W --methods behavior --retrain > $W.log 2>&1
  for set in fresh-ownres fresh-quiet-ownres fresh fresh-quiet; do
    F=$O/$set-s$s; mkdir -p $F; cp $W/role-v2.json $W/role-v2.behavior.json $W/behavior.json $F/
    npx tsx bench/behavior/score.ts --manifest /work/behavior-bench-$set-s$s/manifest.json --work $F --methods behavior > $F.log 2>&1
  done
done
echo "score-fresh: results under $O"
