# networkml as a container: the CLI, the worker, and the one-shot mode Poseidon's workers start
# (`docker run networkml -p /files/X` or `--no-srcmacid -o/tmp /files/X`). See README "Docker".
#   docker build -t networkml .
#   docker build --build-arg BASE=registry.example.org/node:20-bookworm-slim -t networkml .
# BASE must be a Debian-based Node 20 image laid out like the official one (node in /usr/local, user `node`).
ARG BASE=node:20-bookworm-slim

# Build stage: compilers for the one native addon (better-sqlite3, built from source against the base
# image's own Node headers, so nothing is fetched from outside npm and Debian), then TypeScript.
FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `prepare` builds dist/; then only production modules (with the compiled addon) are kept.
RUN npm ci && npm prune --omit=dev && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
    node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/build/Release/.deps

# Runtime stage: Node, the built CLI, production modules, bundled models and samples. No compilers.
FROM ${BASE}
LABEL org.opencontainers.image.title="networkml" \
      org.opencontainers.image.description="Device role and behaviour from packet headers (NetworkML for Poseidon)" \
      org.opencontainers.image.licenses="Apache-2.0"
# tini as PID 1: the kernel gives PID 1 no default action for SIGTERM/SIGINT, so with node there `docker stop`
# and Ctrl-C did nothing to a command without its own handler (eval, the one-shot mode): docker waited its
# 10 s and killed it (exit 137). tini hands the signal on to node, which then stops as it does on a host.
# -s: no warning when `docker run --init` already put an init in front of it.
# apt-get clean: apt's package caches (75 MB in /var/cache/apt) stay out of the layer on any base.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/networkml
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY package.json LICENSE NOTICE README.md ./
COPY bin ./bin
COPY models ./models
COPY data/samples ./data/samples
# Device history (SQLite) of `networkml eval` goes to a volume-able directory. Writable by any user, as
# /tmp is: `docker run --user "$(id -u)"` (to own what eval writes to a mounted directory) or a platform
# that picks the uid otherwise made every eval fail with exit 4 on the history database.
RUN ln -s /opt/networkml/bin/networkml.js /usr/local/bin/networkml \
 && mkdir -p /files /var/lib/networkml \
 && chown node:node /var/lib/networkml \
 && chmod 1777 /var/lib/networkml
ENV NODE_ENV=production \
    NETWORKML_DATA_DIR=/var/lib/networkml
USER node
# Poseidon mounts its captures at /files and writes RESULT_PATH=/tmp/predict.json: /tmp is writable.
WORKDIR /tmp
ENTRYPOINT ["tini", "-s", "--", "networkml"]
CMD ["--help"]
