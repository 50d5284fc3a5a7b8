#!/usr/bin/env bash
# Whole-pipeline speed and peak memory on a large capture, side by side with tcpdump in the same run:
#   1. on the 1 GiB capture, RUNS times each (alternating with `tcpdump -r CAPTURE -w /dev/null`):
#      eval --anomaly none --json (and with --threads 1), default eval (lstm), eval with a v2 model,
#      inspect --json; default eval again on a copy whose times are warped so that no LSTM sequence repeats
#      (bench/pcap-warp.ts, built once next to the capture);
#      prints each command's median wall time, MB/s, the median of the per-pair speed ratios vs tcpdump,
#      and peak RSS (GNU time);
#   2. peak RSS of eval --anomaly none and default eval on ~100 MB (the capture's head), 1 GB (the
#      capture) and ~10 GB (the capture repeated 10 times by bench/pcap-repeat.ts into a pipe: nothing on disk).
# Usage: bash bench/pipeline-speed.sh [CAPTURE] [V2_MODEL]
#   CAPTURE  default bench/out/bench-1024.pcap (built once by ../shared/tools/make-bench-pcap.sh)
#   V2_MODEL default bench/out/v2.json (trained once on test-data/iot-sentinel's dev split)
#   RUNS=3 (env) runs per command; SKIP_10G=1 skips the 10 GB pass (it takes minutes).
#   NETWORKML_BIN=PATH (env) measures another build (e.g. an older checkout) with the same capture.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run build >/dev/null
command -v tcpdump >/dev/null || { echo "needs tcpdump (apt-get install -y tcpdump)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }
mkdir -p bench/out
capture=${1:-bench/out/bench-1024.pcap}
if [ ! -f "$capture" ]; then
  flock bench/out/.lock bash -c "[ -f '$capture' ] || bash ../shared/tools/make-bench-pcap.sh '$capture' 1024"
fi
v2=${2:-bench/out/v2.json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export NETWORKML_DATA_DIR="$tmp/data"
bash bench/v2-model.sh "$v2"
runs=${RUNS:-3}
bytes=$(stat -L -c %s "$capture")
# The launcher as users run it (its shebang sets the V8 flags); NETWORKML_BIN=other/bin/networkml.js measures another build.
nml=("${NETWORKML_BIN:-bin/networkml.js}")

# time_of CMD...: runs it, prints "SECONDS KIB" (wall time, peak RSS).
time_of() {
  /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; return 1; }
  cat "$tmp/t"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

cat "$capture" > /dev/null # page cache
echo "capture: $capture ($bytes bytes), $runs runs each, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %9s %11s %10s\n' command 'median s' 'MB/s' 'vs tcpdump' 'peak RSS'
bench() {
  local name=$1; shift
  : > "$tmp/ours"; : > "$tmp/theirs"; : > "$tmp/ratio"; : > "$tmp/rss"
  for _ in $(seq "$runs"); do
    read -r ts _ < <(time_of tcpdump -r "$capture" -w /dev/null)
    read -r os orss < <(time_of "$@")
    echo "$ts" >> "$tmp/theirs"; echo "$os" >> "$tmp/ours"; echo "$orss" >> "$tmp/rss"
    awk -v t="$ts" -v o="$os" 'BEGIN {print t / o}' >> "$tmp/ratio"
  done
  local s r m
  s=$(median < "$tmp/ours"); r=$(median < "$tmp/ratio"); m=$(sort -g "$tmp/rss" | tail -1)
  printf '%-34s %9.2f %9.0f %10.2fx %7.0f MiB\n' "$name" "$s" "$(awk -v b="$bytes" -v s="$s" 'BEGIN {print b / s / 1e6}')" "$r" "$((m / 1024))"
}
bench 'eval --anomaly none --json' "${nml[@]}" eval --anomaly none --json "$capture"
# The same on one thread (no reader thread): what the second core adds.
bench 'eval --anomaly none --threads 1' "${nml[@]}" eval --anomaly none --json --threads 1 "$capture"
bench 'eval --json (lstm)' "${nml[@]}" eval --json "$capture"
# The capture is ~100 copies of one merged capture, so 90 % of its LSTM sequences repeat an earlier one bit for
# bit and are not scored again (src/models/sequence-memo.ts); real captures repeat few (4 % of the local ones'
# sequences). The same capture with its times warped (bench/pcap-warp.ts) repeats none: the LSTM's full cost.
warped=${capture%.pcap}-warped.pcap
if [ ! -f "$warped" ]; then
  flock bench/out/.lock bash -c "[ -f '$warped' ] || node --import tsx bench/pcap-warp.ts '$capture' '$warped' > /dev/null"
fi
bench 'eval --json (lstm), no repeats' "${nml[@]}" eval --json "$warped"
# --no-history: every run starts from the same state (with history on, each run would add the capture to the
# devices' past and the next run would read it). History on works with v2 models too (bench/README.md: the
# ~11 GB runs); the bug this line once avoided is fixed.
bench 'eval --json --model v2' "${nml[@]}" eval --json --no-history --model "$v2" "$capture"
bench 'inspect --json' "${nml[@]}" inspect --json "$capture"

echo
echo "peak RSS as the capture grows (must stay flat)"
head -c 100000000 "$capture" > "$tmp/head-100.pcap"
printf '%-12s %14s %14s\n' size 'eval --anomaly none' 'eval (lstm)'
for f in "$tmp/head-100.pcap" "$capture"; do
  read -r _ a < <(time_of "${nml[@]}" eval --anomaly none --json "$f")
  read -r _ b < <(time_of "${nml[@]}" eval --json "$f")
  printf '%-12s %14s %14s\n' "$(( $(stat -L -c %s "$f") / 1000000 )) MB" "$((a / 1024)) MiB" "$((b / 1024)) MiB"
done
rm -f "$tmp/head-100.pcap"
if [ "${SKIP_10G:-0}" != 1 ]; then
  # GNU time wraps the CLI only (not the generator), so the figure is the CLI's own peak.
  for mode in none lstm; do
    node --import tsx bench/pcap-repeat.ts "$capture" 10 |
      /usr/bin/time -f '%e %M' -o "$tmp/t-$mode" "${nml[@]}" eval --anomaly "$mode" --json - > /dev/null
  done
  printf '%-12s %14s %14s\n' "$((bytes * 10 / 1000000)) MB (pipe)" \
    "$(($(cut -d' ' -f2 "$tmp/t-none") / 1024)) MiB" "$(($(cut -d' ' -f2 "$tmp/t-lstm") / 1024)) MiB"
fi
