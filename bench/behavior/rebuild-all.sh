#!/usr/bin/env bash
# Rebuilds every folder the behaviour tables score, on a fresh machine from a fresh clone next to ../shared (as root):
# split 12 (/work/behavior-bench) and split 15 (/work/behavior-bench-s15), the raw attacks of the fresh-quiet set
# and of fresh3 … fresh25, each set built into split 12's test normals (the names score-sets.sh's tables use:
# behavior-bench-freshN-own, f4-own, fq-device, f3-device) and into split 15's (s15-*): build-sets.sh.
#   bash bench/behavior/rebuild-all.sh            # logs in /work/rebuild-logs; a folder already built is kept
# Then `bash bench/behavior/score-sets.sh TAG SET…` trains the behaviour models and scores (it needs the role models
# /work/s12w-new3 and /work/s15w-new3, which this script trains too: `networkml train TRAIN --features v2`).
# The generators run in four lanes at once: each has its own namespace prefix, veth names and work folder, and
# they spend most of their time waiting (bounded sleeps between an attack's steps), so the lanes share 2 cores.
# The raw captures are real tools' traffic, so timings (and a few scores) differ from one rebuild to the next.
set -euo pipefail
cd "$(dirname "$0")/../.."
logs=/work/rebuild-logs
mkdir -p "$logs"
bash bench/behavior/install-tools.sh --sets > "$logs/install.log" 2>&1
[ -d node_modules ] || npm ci > "$logs/npm-ci.log" 2>&1
npx tsc -p tsconfig.build.json

gen() { # NAME GENERATOR [ARGS]: runs one generator unless its index exists
  local name=$1
  shift
  local out=/work/behavior-bench-$name
  [ "$name" = base ] && out=/work/behavior-bench
  if [ -s "$out/attacks/index.jsonl" ]; then return 0; fi
  echo "rebuild-all: $name …"
  bash "$@" > "$logs/gen-$name.log" 2>&1 || { echo "rebuild-all: $name failed (see $logs/gen-$name.log)" >&2; return 1; }
  echo "rebuild-all: $name: $(wc -l < "$out/attacks/index.jsonl") captures"
}
splits() {
  gen base bench/behavior/gen-attacks.sh
  [ -f /work/behavior-bench/manifest.json ] ||
    npx tsx bench/behavior/build.ts --out /work/behavior-bench --seed 12 > "$logs/build-s12.log" 2>&1
  [ -f /work/behavior-bench-s15/manifest.json ] ||
    npx tsx bench/behavior/build.ts --out /work/behavior-bench-s15 --seed 15 --attacks /work/behavior-bench \
      > "$logs/build-s15.log" 2>&1
  gen fresh-quiet bench/behavior/gen-attacks.sh --only fresh-quiet
}
lane() { local n; for n in "$@"; do gen "fresh$n" "bench/behavior/fresh$n/gen-fresh$n.sh"; done; }
pids=()
splits & pids+=($!)
lane 3 6 9 12 15 21 & pids+=($!)
lane 4 7 10 13 17 19 23 25 & pids+=($!)
lane 5 8 11 14 16 18 20 22 24 & pids+=($!)
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || { echo "rebuild-all: a generator failed; the others' folders are kept" >&2; exit 1; }

# The role models the score tables keep fixed (score-sets.sh copies them; the behaviour models it retrains).
for s in 12 15; do
  m=/work/s${s}w-new3
  train=/work/behavior-bench/train
  [ "$s" = 15 ] && train=/work/behavior-bench-s15/train
  [ -f "$m/role-v2.json" ] && continue
  mkdir -p "$m"
  # as score.ts trains it
  node bin/networkml.js train "$train" --features v2 --save "$m/role-v2.json" --seed 0 --threads 2 \
    > "$logs/train-s$s.log" 2>&1
done

for split in 12 15; do bash bench/behavior/build-sets.sh "$split" > "$logs/build-sets-$split.log" 2>&1; done
echo "rebuild-all: done"
