#!/usr/bin/env bash
# Retrains the behaviour model on split 12 (and split 15 on its own) with this build, then scores every attack set
# with the models of the split whose test normals it was built from (its manifest's splitFrom) — what the sixth
# session's tables compare, build against build. The role models stay fixed (trained once; a v2 role model is not retrained here).
#   bash bench/behavior/score-sets.sh TAG [SET ...]
# TAG names the run: models in /work/s12w-TAG and /work/s15w-TAG, reports in /work/scores-TAG/<set>.txt, the
# summary rows on stdout. SETs: manifests' folders under /work (default: every set the tables use).
# Needs: /work/behavior-bench (split 12), /work/behavior-bench-s15, their role models in /work/s12w-new3 and
# /work/s15w-new3 (role-v2.json), and each set's folder (build.ts --split-from either split's manifest.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:?usage: score-sets.sh TAG [SET ...]}; shift
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(behavior-bench-fresh5-own behavior-bench-fresh6-own behavior-bench-fresh7-own
  behavior-bench-fresh8-own f4-own fq-device f3-device)
out=/work/scores-$tag
mkdir -p "$out"
npx tsc -p tsconfig.build.json
cli="$PWD/bin/networkml.js"
score() { # MANIFEST WORKDIR REPORT
  npx tsx bench/behavior/score.ts --methods behavior --cli "$cli" --work "$2" --threads 2 --by-attack --manifest "$1" > "$3" 2>&1
}
# Split 12: the behaviour model is trained by score.ts (no behavior.json in the work folder).
for split in 12 15; do
  manifest=/work/behavior-bench/manifest.json
  [ "$split" = 15 ] && manifest=/work/behavior-bench-s15/manifest.json
  w=/work/s${split}w-$tag
  mkdir -p "$w" && cp "/work/s${split}w-new3/role-v2.json" "$w/" && rm -f "$w/behavior.json" "$w/results.json"
  score "$manifest" "$w" "$out/s$split.txt"
done
for set in "${sets[@]}"; do
  w=/work/w-$set-$tag
  # A set injected into split 15's test normals (build.ts --split-from /work/behavior-bench-s15/manifest.json)
  # is scored with split 15's models.
  split=12
  grep -q '"splitFrom": *"/work/behavior-bench-s15/manifest.json"' "/work/$set/manifest.json" && split=15
  rm -rf "$w" && mkdir -p "$w" && cp /work/s${split}w-$tag/role-v2.json /work/s${split}w-$tag/behavior.json "$w/" && touch "$w"/*
  score "/work/$set/manifest.json" "$w" "$out/$set.txt"
done
for f in s12 s15 "${sets[@]}"; do
  echo "== $f"
  grep -E 'attack \(all\)|wrong role \|' "$out/$f.txt" || echo "(no summary rows: see $out/$f.txt)"
done
