#!/usr/bin/env bash
# Builds every attack set a second time into split 15's test normals (the devices split 12 trains on are held out
# there, and the other way round), from the same raw attacks, with the devices' own stacks: /work/s15-<set>.
# score-sets.sh scores each with split 15's models (its manifest's splitFrom says so). A set already built is kept.
#   bash bench/behavior/build-s15-sets.sh        # ~35 s a set
# Needs: /work/behavior-bench-s15 (build.ts --seed 15) and the raw attack folders of the sets.
set -euo pipefail
cd "$(dirname "$0")/../.."
build() { # OUT ATTACKS [build.ts options]
  local out=$1 attacks=$2
  shift 2
  [ -f "/work/$out/manifest.json" ] && return 0
  npx tsx bench/behavior/build.ts --out "/work/$out" --attacks "$attacks" \
    --split-from /work/behavior-bench-s15/manifest.json --stack device --jobs 1 "$@"
}
for n in 5 6 7 8 9 10 11 12 13 14 15 16; do build "s15-f$n" "/work/behavior-bench-fresh$n"; done
build s15-f4 /work/behavior-bench-fresh4
build s15-f3 /work/behavior-bench-fresh3
build s15-fq /work/behavior-bench-fresh-quiet --per-short 2 --per-long 2
