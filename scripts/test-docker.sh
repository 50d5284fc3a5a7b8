#!/usr/bin/env bash
# `npm run test:docker`: the container as Poseidon runs it, on a real Docker engine.
# 1. Docker engine: installs docker.io (and docker-compose, python3-docker/pika/redis/prometheus-client for
#    Poseidon's worker.py) when missing, starts `dockerd --storage-driver=vfs` when none is running.
# 2. Base image: pulls node:20-bookworm-slim, or, when no registry is reachable, builds a stand-in
#    (scripts/docker-base-standin.sh) and tags it with that name; rabbitmq/redis likewise (docker/test/).
# 3. Builds our Dockerfile unchanged, then runs src/service/docker.test.ts (Poseidon's worker.py callback,
#    v0.10.3 and HEAD; the README's docker run; the compose stack with 2 workers on 20 jobs).
# Every container, network and image this script or the test made is removed at the end; images that
# were there before are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo -n)

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
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
cleanup() {
  local rc=$?
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
service_image() { # NAME OFFICIAL → prints the image to use
  if docker image inspect "$2" >/dev/null 2>&1 || timeout 60 docker pull "$2" >/dev/null 2>&1; then echo "$2"; return; fi
  local tag=networkml-test/$1:local
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    docker build -q -t "$tag" -f "docker/test/Dockerfile.$1" docker/test >/dev/null 2>&1
    made_images+=("$tag")
  fi
  echo "$tag"
}
RABBITMQ_IMAGE=${RABBITMQ_IMAGE:-$(service_image rabbitmq rabbitmq:3)}
REDIS_IMAGE=${REDIS_IMAGE:-$(service_image redis redis:7)}
[[ $RABBITMQ_IMAGE == networkml-test/* ]] && made_images+=("$RABBITMQ_IMAGE")
[[ $REDIS_IMAGE == networkml-test/* ]] && made_images+=("$REDIS_IMAGE")

NETWORKML_IMAGE=networkml-test/networkml:$$
echo "test-docker: docker build -t $NETWORKML_IMAGE ." >&2
start=$(date +%s)
docker build -q -t "$NETWORKML_IMAGE" . >/dev/null
made_images+=("$NETWORKML_IMAGE")
echo "test-docker: built in $(( $(date +%s) - start )) s; image $(docker image inspect --format '{{.Size}}' "$NETWORKML_IMAGE") bytes" >&2

export NETWORKML_TEST_DOCKER=1 NETWORKML_IMAGE RABBITMQ_IMAGE REDIS_IMAGE
node --import tsx --test --test-reporter=spec src/service/docker.test.ts
