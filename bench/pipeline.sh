#!/usr/bin/env bash
# Whole-command timings with public tools, for the README's performance table:
#   1. eval (features + roles + abnormality) of every reference capture, vs NetworkML v0.4.8's 1–45 s each;
#   2. train and test on the IoT Sentinel dev split (reference: one-layer 71 s to train, 34 s to test);
#   3. the feature pipeline on a large capture (inspect --json), MB/s and peak memory.
# Usage: bash bench/pipeline.sh [LARGE_CAPTURE]   (default bench/out/bench-256.pcap, built by bench/reader.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run build >/dev/null
nml=(node bin/networkml.js)
t() { /usr/bin/time -f "  %e s wall, %U s user, %M KiB peak RSS" "$@"; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export NETWORKML_DATA_DIR="$out/data"

echo "== eval, one capture at a time (reference: HueBridge 33.5 s, DLinkCam 12.7 s)"
for f in test-data/reference/captures/*.pcap; do
  printf '%s (%s bytes)\n' "$(basename "$f")" "$(stat -c %s "$f")"
  t "${nml[@]}" eval --json "$f" > /dev/null
done
echo "== eval, all 8 captures in one command (worker threads)"
t "${nml[@]}" eval --json test-data/reference/captures > /dev/null

setups=test-data/iot-sentinel/setups split=test-data/iot-sentinel/dev-split.json
echo "== train on the dev split (105 captures; reference one-layer: 71 s)"
for a in onelayer randomforest; do
  echo "$a, compat, --warmup 1"
  t "${nml[@]}" train "$setups" --split "$split" --warmup 1 -a "$a" --save "$out/$a.json" > /dev/null
done
echo "v2 (5-candidate CV + Unknown calibration)"
t "${nml[@]}" train "$setups" --split "$split" --features v2 --save "$out/v2.json" > /dev/null
echo "== test on the dev split (35 captures; reference: 34 s)"
for m in onelayer randomforest v2; do
  echo "$m: $("${nml[@]}" test "$setups" --split "$split" --model "$out/$m.json" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log("accuracy per capture",r.accuracyPerCapture.toFixed(3))})')"
  t "${nml[@]}" test "$setups" --split "$split" --model "$out/$m.json" > /dev/null
done

large=${1:-bench/out/bench-256.pcap}
if [ -f "$large" ]; then
  echo "== features of a large capture: $large ($(stat -c %s "$large") bytes)"
  t "${nml[@]}" inspect --json "$large" > /dev/null
fi
echo "== watch a stream (stdin): memory must stay flat as the stream grows"
for f in bench/out/bench-256.pcap bench/out/bench-1024.pcap; do
  [ -f "$f" ] || continue
  echo "$f ($(stat -c %s "$f") bytes)"
  t "${nml[@]}" watch --json --anomaly none - < "$f" > /dev/null
done
