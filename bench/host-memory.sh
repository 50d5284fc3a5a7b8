#!/usr/bin/env bash
# Time and peak memory per host: eval on captures whose hosts come and go (bench/host-churn.ts), built once
# into bench/out:
#   tunnel  raw IP, a device meeting a new public peer every other packet, PACKETS over DAYS days;
#   lan     Ethernet, the same with a new LAN neighbour (own MAC) each time;
#   macof   Ethernet, a MAC flood: every frame from a new random MAC, MACOF packets at 1,000 a second.
# Each: default eval (compat + LSTM) and eval with a v2 model and its behaviour model; prints wall seconds
# and peak RSS (GNU time). Then `eval --per-host` of a LAN capture of PER_HOST packets (each neighbour a host of
# its own: PER_HOST / 2 of them), both models.
# Usage: bash bench/host-memory.sh [V2_MODEL]
#   V2_MODEL default bench/out/v2.json (trained once on test-data/iot-sentinel's dev split, as pipeline-speed.sh)
#   PACKETS=1000000 DAYS=10 MACOF=100000 PER_HOST=20000 (env); NETWORKML_BIN=PATH (env) measures another build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run build >/dev/null
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }
mkdir -p bench/out
packets=${PACKETS:-1000000}
days=${DAYS:-10}
macof=${MACOF:-100000}
per_host=${PER_HOST:-20000}
v2=${1:-bench/out/v2.json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export NETWORKML_DATA_DIR="$tmp/data"
bash bench/v2-model.sh "$v2"
nml=("${NETWORKML_BIN:-bin/networkml.js}")
seconds=$((days * 86400))
printf '%-34s %-9s %9s %10s\n' capture eval 'wall s' 'peak MiB'
for spec in "tunnel $packets $seconds" "lan $packets $seconds" "macof $macof"; do
  read -r mode n s <<< "$spec"
  capture=bench/out/churn-$mode-$n.pcap
  [ -f "$capture" ] || node --import tsx bench/host-churn.ts "$mode" "$capture" "$n" $s > /dev/null
  for kind in default v2; do
    model=(); [ "$kind" = v2 ] && model=(--model "$v2")
    /usr/bin/time -f '%e %M' -o "$tmp/t" "${nml[@]}" eval --json --no-history "${model[@]}" "$capture" > /dev/null
    read -r wall kib < "$tmp/t"
    printf '%-34s %-9s %9s %10d\n' "$capture" "$kind" "$wall" $((kib / 1024))
  done
done
capture=bench/out/churn-lan-$per_host.pcap
[ -f "$capture" ] || node --import tsx bench/host-churn.ts lan "$capture" "$per_host" "$per_host" > /dev/null
for kind in default v2; do
  model=(); [ "$kind" = v2 ] && model=(--model "$v2")
  /usr/bin/time -f '%e %M' -o "$tmp/t" "${nml[@]}" eval --json --no-history --per-host "${model[@]}" "$capture" > /dev/null
  read -r wall kib < "$tmp/t"
  printf '%-34s %-9s %9s %10d\n' "$capture" "$kind/host" "$wall" $((kib / 1024))
done
