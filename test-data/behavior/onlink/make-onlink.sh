#!/usr/bin/env bash
# Records onlink/Workstation-onlink-Mon0000-n00.pcap: a dual-stack host on a LAN numbered from global address
# space (a public IPv4 /24 and a global IPv6 /64, as universities and IPv6 networks are), talking to a file
# server on its own link and to a web server on the internet behind the router. Root, ~15 s; network namespaces
# ol-* (removed on exit), nothing leaves them. Usage: bash make-onlink.sh [OUT.pcap]
set -euo pipefail
OUT="${1:-$(dirname "$0")/Workstation-onlink-Mon0000-n00.pcap}"
[ "$(id -u)" = 0 ] || { echo "make-onlink: needs root" >&2; exit 2; }
export PATH="/usr/sbin:/usr/bin:/sbin:/bin"
PY=/usr/bin/python3
LAN4=130.225.88 LAN6=2001:67c:2e8:88
WAN4=185.199.108 WAN6=2a04:4e42:1:1
NSS="sw dev nas gw srv"
ns() { local n="$1"; shift; ip netns exec "ol-$n" "$@"; }
cleanup() {
  set +e
  for n in $NSS; do
    for p in $(ip netns pids "ol-$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "ol-$n" 2>/dev/null
  done
}
trap cleanup EXIT
cleanup
for n in $NSS; do
  ip netns add "ol-$n"
  ns "$n" ip link set lo up
  ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ns "$n" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
ns sw ip link add br0 type bridge
ns sw ip link set br0 up
lan() { # name mac v4-host v6-host
  ip link add "olp-$1" type veth peer name eth0 netns "ol-$1"
  ip link set "olp-$1" netns ol-sw
  ns sw ip link set "olp-$1" master br0 up
  ns "$1" ip link set eth0 address "$2"
  ns "$1" ethtool -K eth0 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  ns "$1" ip addr add "$LAN4.$3/24" dev eth0
  ns "$1" ip -6 addr add "$LAN6::$4/64" dev eth0 nodad
  ns "$1" ip link set eth0 up
}
lan dev 02:01:00:00:00:10 10 10
lan nas 02:01:00:00:00:20 20 20
lan gw 02:01:00:00:00:01 1 1
ip link add olw-gw netns ol-gw type veth peer name eth0 netns ol-srv
ns gw ip addr add "$WAN4.1/24" dev olw-gw
ns gw ip -6 addr add "$WAN6::1/64" dev olw-gw nodad
ns gw ip link set olw-gw up
ns srv ip addr add "$WAN4.34/24" dev eth0
ns srv ip -6 addr add "$WAN6::34/64" dev eth0 nodad
ns srv ip link set eth0 up
ns gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for n in dev nas; do
  ns "$n" ip route add default via "$LAN4.1"
  ns "$n" ip -6 route add default via "$LAN6::1"
done
ns srv ip route add default via "$WAN4.1"
ns srv ip -6 route add default via "$WAN6::1"

mkdir -p /tmp/ol-www && echo "report" > /tmp/ol-www/index.html
(cd /tmp/ol-www && ip netns exec ol-nas timeout 60 "$PY" -m http.server --bind :: 8080 >/dev/null 2>&1 &)
(cd /tmp/ol-www && ip netns exec ol-srv timeout 60 "$PY" -m http.server --bind :: 80 >/dev/null 2>&1 &)
sleep 1
ns dev timeout 40 tcpdump -i eth0 -U -w "$OUT.tmp" >/dev/null 2>&1 &
CAP=$!
sleep 1
for i in 1 2 3 4 5 6; do
  ns dev curl -s -o /dev/null "http://[$LAN6::20]:8080/"
  ns dev curl -s -o /dev/null "http://$LAN4.20:8080/"
  if [ $((i % 2)) = 0 ]; then
    ns dev curl -s -o /dev/null "http://[$WAN6::34]/"
    ns dev curl -s -o /dev/null "http://$WAN4.34/"
  fi
  sleep 0.5
done
ns dev ping -c 2 -i 0.3 "$LAN6::20" >/dev/null
ns dev ping -c 2 -i 0.3 "$WAN4.34" >/dev/null
sleep 1
kill "$CAP"; wait "$CAP" 2>/dev/null || true
editcap -F pcap "$OUT.tmp" "$OUT"
rm -f "$OUT.tmp"
echo "make-onlink: $(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets in $OUT"
