#!/usr/bin/env bash
# What the behaviour model costs in eval: `eval --model V2` (behaviour, the default for a trained model)
# against `eval --model V2 --anomaly none` on the same capture, alternated RUNS times; prints each run's
# CPU seconds (user + sys, GNU time) and wall seconds, and the median ratios behaviour / none.
# Usage: bash bench/behavior/speed.sh [CAPTURE] [V2_MODEL]
#   CAPTURE  default bench/out/bench-200.pcap (the first 800,000 packets, ~200 MB, of the 1 GiB benchmark capture)
#   V2_MODEL default bench/out/v2.json (trained once on test-data/iot-sentinel's dev split, with its
#            companion behaviour model bench/out/v2.behavior.json)
#   RUNS=5 (env) pairs of runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f dist/cli/main.js ] || npm run build >/dev/null
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }
mkdir -p bench/out
capture=${1:-bench/out/bench-200.pcap}
if [ ! -f "$capture" ]; then
  big=bench/out/bench-1024.pcap
  flock bench/out/.lock bash -c "[ -f '$big' ] || bash ../shared/tools/make-bench-pcap.sh '$big' 1024"
  command -v editcap >/dev/null || { echo "needs editcap (apt-get install -y tshark)" >&2; exit 1; }
  editcap -r "$big" "$capture" 1-800000 # the first 800,000 packets, ~200 MB
fi
v2=${2:-bench/out/v2.json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export NETWORKML_DATA_DIR="$tmp/data"
if [ ! -f "$v2" ] || [ ! -f "${v2%.json}.behavior.json" ]; then
  node bin/networkml.js train test-data/iot-sentinel/setups --split test-data/iot-sentinel/dev-split.json \
    --features v2 --save "$v2" > /dev/null
fi
runs=${RUNS:-5}
cat "$capture" > /dev/null # page cache
# run NAME ARGS...: one eval, appends "cpu wall" to $tmp/NAME.
run() {
  local name=$1; shift
  /usr/bin/time -f '%U %S %e' -o "$tmp/t" node bin/networkml.js eval "$capture" --model "$v2" --json --no-history "$@" > /dev/null 2> "$tmp/err" || true
  awk '{print $1 + $2, $3}' "$tmp/t" >> "$tmp/$name"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "capture: $capture, model: $v2, $runs pairs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  run none --anomaly none
  run behavior
done
paste "$tmp/behavior" "$tmp/none" | awk '{print $1 / $3, $2 / $4}' > "$tmp/ratio"
printf '%-10s %12s %12s\n' '' 'median CPU s' 'median wall s'
for n in none behavior; do
  printf '%-10s %12s %12s\n' "$n" "$(cut -d' ' -f1 "$tmp/$n" | median)" "$(cut -d' ' -f2 "$tmp/$n" | median)"
done
echo "behaviour / none: CPU $(cut -d' ' -f1 "$tmp/ratio" | median)x, wall $(cut -d' ' -f2 "$tmp/ratio" | median)x (medians of the pairs)"
