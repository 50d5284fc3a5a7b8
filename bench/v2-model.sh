#!/usr/bin/env bash
# bench/v2-model.sh PATH: trains the benchmarks' v2 model (and its behaviour model) into PATH unless it is there:
# `train --features v2` on test-data/iot-sentinel's dev split. Run from the project root, NETWORKML_DATA_DIR set.
set -euo pipefail
if [ ! -f "$1" ]; then
  node bin/networkml.js train test-data/iot-sentinel/setups --split test-data/iot-sentinel/dev-split.json \
    --features v2 --save "$1" > /dev/null
fi
