#!/usr/bin/env bash
# Builds every attack set into one split's test normals, from the raw attacks of the sets, with the devices' own
# stacks (build.ts --split-from SPLIT's manifest --stack device), under the names the tables use:
#   split 12: /work/behavior-bench-freshN-own (N = 5 … 25), /work/f4-own, /work/f3-device, /work/fq-device
#   split 15: /work/s15-fN (N = 3 … 25), /work/s15-fq (the devices split 12 trains on are held out there, and the
#             other way round); score-sets.sh scores each with its split's models (its manifest's splitFrom says so)
# A set already built is kept. --jobs changes only the speed: the captures come out byte-identical.
#   bash bench/behavior/build-sets.sh 12|15        # ~35 s a set
# Needs: the split's folder (/work/behavior-bench, build.ts --seed 12; /work/behavior-bench-s15, --seed 15) and the
# raw attack folders of the sets (/work/behavior-bench-fresh*, rebuild-all.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
split=${1:?usage: build-sets.sh 12|15}
case "$split" in
  12) manifest=/work/behavior-bench/manifest.json ;;
  15) manifest=/work/behavior-bench-s15/manifest.json ;;
  *) echo "build-sets.sh: split 12 or 15, not $split" >&2; exit 2 ;;
esac
name() { # SET (fresh5 … fresh25, fresh4, fresh3, fresh-quiet): its folder name on this split
  case "$split:$1" in
    12:fresh4) echo f4-own ;;
    12:fresh3) echo f3-device ;;
    12:fresh-quiet) echo fq-device ;;
    12:*) echo "behavior-bench-$1-own" ;;
    15:fresh-quiet) echo s15-fq ;;
    15:*) echo "s15-f${1#fresh}" ;;
  esac
}
build() { # SET [build.ts options]
  local set=$1 out
  shift
  out=$(name "$set")
  [ -f "/work/$out/manifest.json" ] && return 0
  npx tsx bench/behavior/build.ts --out "/work/$out" --attacks "/work/behavior-bench-$set" \
    --split-from "$manifest" --stack device --jobs 2 "$@"
}
for n in 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do build "fresh$n"; done
build fresh4
build fresh3
build fresh-quiet --per-short 2 --per-long 2
