#!/usr/bin/env bash
# Builds a stand-in for the official node:20-bookworm-slim image when no image registry is reachable:
# Debian bookworm (debootstrap --variant=minbase, from the Debian mirror apt already uses) plus this
# machine's Node 20 (binary, npm, headers) laid out as the official image does (/usr/local), with its
# `node` user (uid 1000). Tags it with the base name so the Dockerfile builds unchanged.
# Usage: scripts/docker-base-standin.sh [TAG]   (default node:20-bookworm-slim)
set -euo pipefail
tag=${1:-node:20-bookworm-slim}
node_bin=$(readlink -f "$(command -v node)")
case "$("$node_bin" --version)" in v20.*) ;; *) echo "need Node 20 on this machine, found $("$node_bin" --version)" >&2; exit 1 ;; esac
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
node_prefix=$(dirname "$(dirname "$node_bin")")
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+' | grep -E '/debian/?$' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
add_host_ca() {
  local ctx
  ctx=$(mktemp -d /tmp/networkml-ca.XXXXXX)
  cp "$NODE_EXTRA_CA_CERTS" "$ctx/host-ca.crt"
  printf 'FROM %s\nCOPY host-ca.crt /usr/local/share/host-ca.crt\nENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt npm_config_cafile=/usr/local/share/host-ca.crt\n' "$1" >"$ctx/Dockerfile"
  docker build -q -t "$1" "$ctx" >/dev/null
  rm -rf "$ctx"
}
if [ "${1:-}" = --add-host-ca ]; then add_host_ca "${2:-node:20-bookworm-slim}"; exit 0; fi
work=$(mktemp -d /tmp/networkml-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -5 "$work/debootstrap.log" >&2; exit 1; }
root=$work/rootfs
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/include"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
[ -d "$node_prefix/include/node" ] && cp -a "$node_prefix/include/node" "$root/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
chroot "$root" /usr/local/bin/node --version >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_VERSION=20' \
  -c 'CMD ["node"]' - "$tag" >/dev/null
# A machine behind a TLS-inspecting egress proxy trusts its CA through NODE_EXTRA_CA_CERTS; npm inside the
# build needs it too. It goes into the stand-in (a property of this machine), never into our Dockerfile.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  add_host_ca "$tag"
fi
echo "stand-in base image $tag: $(docker image inspect --format '{{.Size}}' "$tag") bytes" >&2
