#!/usr/bin/env bash
# bench/v2-model.sh PATH: trains the benchmarks' v2 model (and its behaviour model) into PATH unless a model that
# this build accepts is there: `train --features v2` on test-data/iot-sentinel's dev split. A model made by an older
# build (e.g. a behaviour model with fewer features) is refused by eval, so it is trained again rather than timing a
# command that stops at its first line. Run from the project root, NETWORKML_DATA_DIR set.
set -euo pipefail
probe=test-data/iot-sentinel/setups/iKettle2-C5-Mon0000-n00.pcap
if [ ! -f "$1" ] || ! node bin/networkml.js eval --no-history --model "$1" "$probe" > /dev/null 2>&1; then
  node bin/networkml.js train test-data/iot-sentinel/setups --split test-data/iot-sentinel/dev-split.json \
    --features v2 --save "$1" > /dev/null
fi
