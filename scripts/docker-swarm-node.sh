#!/usr/bin/env bash
# A two-node Docker Swarm on one machine, for the test of Poseidon's SWARM=1 path (src/service/docker.test.ts):
# Poseidon creates each job's service with `--constraint node.role==worker`, which the single node of a
# one-engine swarm (a manager) never satisfies. So a second engine joins as the worker: `dockerd` in its own
# network namespace (its own bridge, iptables and VXLAN port, so the two engines do not collide), linked to
# the host by a veth pair, sharing the host's filesystem (the job's bind mount names a host path) and cgroups.
#   scripts/docker-swarm-node.sh up IMAGE   → swarm init on the running engine, the worker joins, IMAGE is
#                                             copied to it; prints the worker's socket (unix://…)
#   scripts/docker-swarm-node.sh down       → the worker leaves and stops, the host leaves the swarm, all removed
# Needs root (ip netns, nsenter). Refuses when the running engine is already in a swarm (not ours to touch).
set -euo pipefail
ns=networkml-swarm
link=nmlswarm # + -h/-n: interface names are at most 15 characters
state=/var/run/networkml-swarm # short: the sockets below it must fit a unix socket path
data=/var/lib/networkml-swarm
sock=$state/docker.sock
host_ip=${NETWORKML_SWARM_NET:-10.213.91}.1
worker_ip=${NETWORKML_SWARM_NET:-10.213.91}.2
worker=(docker -H "unix://$sock")

down() {
  if [ -S "$sock" ]; then "${worker[@]}" swarm leave --force >/dev/null 2>&1 || true; fi
  if [ -f "$state/swarm-init" ]; then
    docker swarm leave --force >/dev/null 2>&1 || true
    # swarm init made the host's docker_gwbridge (when it had none); leaving does not remove it.
    if [ ! -f "$state/had-gwbridge" ]; then docker network rm docker_gwbridge >/dev/null 2>&1 || true; fi
  fi
  if [ -f "$state/dockerd.pid" ]; then
    local pid
    pid=$(cat "$state/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  ip link del "$link-h" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if mountpoint -q "$data"; then umount "$data" || umount -l "$data"; fi
  rm -rf "$state" "$data"
}

up() {
  local image=$1
  [ "$(id -u)" = 0 ] || { echo "docker-swarm-node: needs root (ip netns, nsenter)" >&2; exit 1; }
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != inactive ]; then
    echo "docker-swarm-node: this engine is already in a swarm; not touching it" >&2
    exit 1
  fi
  down
  mkdir -p "$state" "$data"
  # The worker's images live in memory: vfs keeps a full copy of the filesystem per layer (≈ 3 GB for our
  # image), which takes minutes to delete from disk on a busy machine and no time to unmount.
  mount -t tmpfs -o "size=${NETWORKML_SWARM_TMPFS:-6g}" networkml-swarm "$data"
  ip netns add "$ns"
  ip link add "$link-h" type veth peer name "$link-n"
  ip link set "$link-n" netns "$ns"
  ip addr add "$host_ip/30" dev "$link-h"
  ip link set "$link-h" up
  ip -n "$ns" addr add "$worker_ip/30" dev "$link-n"
  ip -n "$ns" link set "$link-n" up
  ip -n "$ns" link set lo up
  # nsenter, not `ip netns exec`: that one remounts /sys, hiding the cgroup hierarchy dockerd needs.
  nsenter --net="/var/run/netns/$ns" dockerd --storage-driver=vfs --data-root "$data" --exec-root "$state/exec" \
    --pidfile "$state/dockerd.pid" -H "unix://$sock" --containerd-namespace networkml-swarm \
    --containerd-plugins-namespace networkml-swarm-plugins >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 60); do "${worker[@]}" info >/dev/null 2>&1 && break; sleep 1; done
  "${worker[@]}" info >/dev/null 2>&1 || { echo "docker-swarm-node: worker dockerd did not start:" >&2; tail -5 "$state/dockerd.log" >&2; exit 1; }
  if docker network inspect docker_gwbridge >/dev/null 2>&1; then touch "$state/had-gwbridge"; fi
  docker swarm init --advertise-addr "$host_ip" --listen-addr "$host_ip:2377" >/dev/null
  touch "$state/swarm-init"
  "${worker[@]}" swarm join --token "$(docker swarm join-token -q worker)" \
    --advertise-addr "$worker_ip" --listen-addr "$worker_ip:2377" "$host_ip:2377" >/dev/null
  docker save "$image" | "${worker[@]}" load >/dev/null
  echo "unix://$sock"
}

case "${1:-}" in
  up) up "${2:?usage: $0 up IMAGE}" ;;
  down) down ;;
  *) echo "usage: $0 up IMAGE | down" >&2; exit 2 ;;
esac
