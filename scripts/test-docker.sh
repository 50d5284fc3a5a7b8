#!/usr/bin/env bash
# `npm run test:docker`: the container as Poseidon runs it, on a real Docker engine.
# 1. Docker engine: installs docker.io (and docker-compose, python3-docker/pika/redis/prometheus-client for
#    Poseidon's worker.py) when missing, starts `dockerd --storage-driver=vfs` when none is running.
# 2. Base image: pulls node:20-bookworm-slim, or, when no registry is reachable, builds a stand-in
#    (scripts/docker-base-standin.sh) and tags it with that name; rabbitmq/redis likewise (docker/test/).
# 3. Builds our Dockerfile unchanged (or uses NETWORKML_IMAGE=TAG as given: no build, kept), then runs
#    src/service/docker.test.ts (Poseidon's worker.py callback, v0.10.3 and HEAD; the README's docker run;
#    the compose stack with 2 workers on 20 jobs; HEAD's SWARM=1 path on a two-node swarm, as root).
# Every container, network, volume and image this script or the test made is removed at the end; images
# that were there before are kept; anything else new left on the engine fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo -n)

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v ip >/dev/null 2>&1 || need+=(iproute2) # the Swarm test's second engine (scripts/docker-swarm-node.sh)
for mod in docker:python3-docker pika:python3-pika redis:python3-redis prometheus_client:python3-prometheus-client; do
  /usr/bin/python3 -c "import ${mod%%:*}" >/dev/null 2>&1 || need+=("${mod#*:}")
done
if (( ${#need[@]} )); then
  echo "test-docker: installing ${need[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

started_dockerd=
if ! docker info >/dev/null 2>&1; then
  echo "test-docker: starting dockerd --storage-driver=vfs" >&2
  "${sudo[@]}" sh -c 'nohup dockerd --storage-driver=vfs >/tmp/networkml-dockerd.log 2>&1 & echo $! >/tmp/networkml-dockerd.pid'
  started_dockerd=$(cat /tmp/networkml-dockerd.pid)
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "test-docker: dockerd did not start:" >&2; tail -5 /tmp/networkml-dockerd.log >&2; exit 1; }
fi

made_images=()
before=$(docker images -q --no-trunc | sort -u)
engine_state() { docker ps -aq --no-trunc; docker network ls -q --no-trunc; docker volume ls -q; }
state_before=$(engine_state | sort -u)
swarm_before=$(docker info --format '{{.Swarm.LocalNodeState}}')
cleanup() {
  local rc=$?
  # The test removes what it made; anything new left on the engine is a fault of the test: named, removed,
  # and the run fails.
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "$swarm_before" ]; then
    echo "test-docker: left in a swarm; leaving" >&2
    bash scripts/docker-swarm-node.sh down || true
    [ "$rc" != 0 ] || rc=1
  fi
  local left
  left=$(comm -13 <(echo "$state_before") <(engine_state | sort -u) | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    echo "test-docker: left over on the engine (removing): $left" >&2
    for id in $left; do
      docker rm -f -v "$id" >/dev/null 2>&1 || docker network rm "$id" >/dev/null 2>&1 ||
        docker volume rm -f "$id" >/dev/null 2>&1 || true
    done
    [ "$rc" != 0 ] || rc=1
  fi
  for image in "${made_images[@]}"; do docker rmi -f "$image" >/dev/null 2>&1 || true; done
  # Dangling layers of our builds (failed or replaced stages), never images that existed before.
  for id in $(docker images -q --no-trunc --filter dangling=true); do
    grep -qx "$id" <<<"$before" || docker rmi -f "$id" >/dev/null 2>&1 || true
  done
  if [ -n "$started_dockerd" ] && [ -z "${KEEP_DOCKERD:-}" ]; then "${sudo[@]}" kill "$started_dockerd" || true; fi
  exit $rc
}
trap cleanup EXIT

base=node:20-bookworm-slim
if ! docker image inspect "$base" >/dev/null 2>&1; then
  if timeout 60 docker pull "$base" >/dev/null 2>&1; then made_images+=("$base"); else
    echo "test-docker: cannot pull $base; building a stand-in (debootstrap + this machine's Node 20)" >&2
    bash scripts/docker-base-standin.sh "$base"
    made_images+=("$base")
  fi
fi
service_image() { # NAME OFFICIAL → sets the variable NAME_IMAGE (upper case) to the image to use
  local var=${1^^}_IMAGE tag=networkml-test/$1:local
  if [ -n "${!var:-}" ]; then return; fi # given by the caller: used as is, never removed
  if docker image inspect "$2" >/dev/null 2>&1; then printf -v "$var" %s "$2"; return; fi
  if timeout 60 docker pull "$2" >/dev/null 2>&1; then made_images+=("$2"); printf -v "$var" %s "$2"; return; fi
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    echo "test-docker: cannot pull $2; building a stand-in $tag (docker/test/Dockerfile.$1)" >&2
    docker build -q -t "$tag" -f "docker/test/Dockerfile.$1" docker/test >/dev/null
    made_images+=("$tag")
  fi
  printf -v "$var" %s "$tag"
}
service_image rabbitmq rabbitmq:3
service_image redis redis:7

# NETWORKML_IMAGE=TAG reuses an image already built from this tree (e.g. `docker build -t networkml .`):
# no build, and the image is kept. Otherwise our Dockerfile is built under a temporary tag and removed.
if [ -n "${NETWORKML_IMAGE:-}" ]; then
  docker image inspect "$NETWORKML_IMAGE" >/dev/null || { echo "test-docker: no image $NETWORKML_IMAGE" >&2; exit 1; }
  echo "test-docker: using the given image $NETWORKML_IMAGE (not rebuilt)" >&2
else
  NETWORKML_IMAGE=networkml-test/networkml:$$
  echo "test-docker: docker build -t $NETWORKML_IMAGE ." >&2
  start=$(date +%s)
  made_images+=("$NETWORKML_IMAGE")
  docker build -q -t "$NETWORKML_IMAGE" . >/dev/null
  echo "test-docker: built in $(( $(date +%s) - start )) s" >&2
fi
echo "test-docker: image $NETWORKML_IMAGE: $(docker image inspect --format '{{.Size}}' "$NETWORKML_IMAGE") bytes" >&2

# The Swarm test (Poseidon's SWARM=1 path) adds a second engine as the worker node: it needs root and an
# engine that is not already in a swarm. NETWORKML_TEST_SWARM=0 turns it off.
if [ -z "${NETWORKML_TEST_SWARM:-}" ]; then
  if [ "$(id -u)" = 0 ] && [ "$swarm_before" = inactive ]; then NETWORKML_TEST_SWARM=1; else
    NETWORKML_TEST_SWARM=0
    echo "test-docker: Docker Swarm test skipped (needs root and an engine not in a swarm)" >&2
  fi
fi
export NETWORKML_TEST_DOCKER=1 NETWORKML_TEST_SWARM NETWORKML_IMAGE RABBITMQ_IMAGE REDIS_IMAGE
node --import tsx --test --test-reporter=spec src/service/docker.test.ts
