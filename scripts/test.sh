#!/usr/bin/env bash
# `npm test`: everything a commit needs. Installs missing Debian packages and npm modules first, then
# type-checks, lints and runs every test file (services are started by the tests themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx biome check src bench scripts
npx tsc -p tsconfig.build.json
mapfile -t files < <(find src bench -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
