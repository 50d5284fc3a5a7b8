#!/usr/bin/env bash
# Installs the Debian packages the tests use, when they are missing: tshark and capinfos (checking the
# capture reader; mergecap for the per-host test), tcpdump (reader benchmark, README examples, per-host test), rabbitmq-server and redis-server (service and history
# tests, started by the tests themselves on loopback), chromium (the HTML report test).
set -euo pipefail
declare -A packages=(
  [tshark]=tshark
  [capinfos]=wireshark-common
  [editcap]=wireshark-common
  [mergecap]=wireshark-common
  [tcpdump]=tcpdump
  [redis-server]=redis-server
  [rabbitmq-server]=rabbitmq-server
  [chromium]=chromium
)
missing=()
for cmd in "${!packages[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/usr/lib/rabbitmq/bin/$cmd" ]; then
    missing+=("${packages[$cmd]}")
  fi
done
# Poseidon's own consumer code (test-data/poseidon) runs under Debian's python3 with python3-pika.
if ! /usr/bin/python3 -c 'import pika' >/dev/null 2>&1; then missing+=(python3-pika); fi
if (( ${#missing[@]} == 0 )); then exit 0; fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "networkml tests: installing Debian packages: ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "networkml tests: need root (or passwordless sudo) to install: ${missing[*]}" >&2
    echo "  run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the services it installs; the tests run their own private instances instead.
for svc in redis-server rabbitmq-server; do
  if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  "${sudo[@]}" service "$svc" stop >/dev/null 2>&1 || true
done
