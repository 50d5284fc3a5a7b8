# The lab of the fresh attack sets (fresh3/gen-fresh3.sh, fresh4/gen-fresh4.sh), sourced by them. gen-attacks.sh's
# conventions: the attacker is the device 10.66.0.10 (02:66:00:00:00:10), the victim 10.66.0.20 (02:66:00:00:00:20),
# dummies .31-.34 on one bridge, a routed "internet" 10.128.0.0/9 behind the victim. Each generator has its own
# namespace prefix ($LAB-*) and veth names ($LAB"p-*"), so the labs cannot collide.
#
# Before sourcing, set: LAB (e.g. f4), GEN (its name in messages) and OUT (the default output folder); source it
# with the generator's arguments (`. fresh-lab.sh "$@"`: --out DIR, --ids id1,id2 into OUT and ONLY_IDS). Sourcing
# checks for root, creates OUT/attacks and OUT/.gen (RAW, W) and removes the namespaces on exit; then call
# lab_network, start the services, run `cap` once per id, and lab_index at the end.
# shellcheck shell=bash

ONLY_IDS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --ids) ONLY_IDS="$2"; shift 2 ;;
    *) echo "$GEN: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "$GEN: needs root" >&2; exit 2; }
RAW="$OUT/attacks"
W="$OUT/.gen"
PY=/usr/bin/python3
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
# The lab's hosts are reached directly: a proxy of the machine's would carry the ids' traffic out of the lab.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
mkdir -p "$RAW" "$W"

NET=10.66.0
ATT_IP=$NET.10 ATT_MAC=02:66:00:00:00:10
VIC_IP=$NET.20 VIC_MAC=02:66:00:00:00:20
DUMMIES="31 32 33 34"
WAN=10.128.0.0/9
PIDS=()
NSS="sw att vic $(for d in $DUMMIES; do echo "d$d"; done)"

ns() { local n="$1"; shift; ip netns exec "$LAB-$n" "$@"; }
want() { [ -z "$ONLY_IDS" ] || [[ ",$ONLY_IDS," == *",$1,"* ]]; }
wantany() { local i; for i in "$@"; do want "$i" && return 0; done; return 1; }
# Stops a background service started for one id, so it stays out of the later captures (start it with
# `ip netns exec`, not the ns function, so that $! is the service's timeout and not a subshell).
stopbg() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# Kills what is left of a process in a lab namespace, found by its name among the namespace's pids (never by name
# machine-wide: the machine's own processes of that name are not the lab's).
kill_in() { # NS COMM
  local p
  for p in $(ip netns pids "$LAB-$1" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && kill "$p" 2>/dev/null
  done
  return 0
}
# Starts a service for one id in a lab namespace, under `timeout`, in the background: its pid in $BG (for stopbg)
# and in PIDS (cleanup stops it on exit); its output goes to $W/bg-NS.log.
srv() { # NS TIMEOUT CMD...
  local n="$1" t="$2"; shift 2
  ip netns exec "$LAB-$n" timeout "$t" "$@" >>"$W/bg-$n.log" 2>&1 &
  BG=$!
  PIDS+=("$BG")
}
# The "internet" hosts the ids talk to: /32 addresses on the victim's lo (it routes the lab's 10.128.0.0/9).
internet_hosts() { local a; for a in "$@"; do ns vic ip addr add "$a/32" dev lo; done; }
# A self-signed certificate for the lab's TLS servers ($W/tls.key, $W/tls.crt), made once per work folder; the key
# readable by services that drop privileges.
lab_tls_cert() { # CN
  [ -f "$W/tls.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$1" \
    -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
  chmod 644 "$W/tls.key"
}
# An anonymous FTP drop (vsftpd) on ADDRESS whose incoming/ folder takes uploads, emptied first; its configuration in
# CONF, followed by any more vsftpd lines given on stdin (TLS settings, say). Started with srv as the id needs.
anon_ftp_drop() { # ADDRESS CONF
  mkdir -p "$W/ftp/incoming" /var/run/vsftpd/empty
  chmod 555 "$W/ftp"
  chown ftp "$W/ftp/incoming"
  chmod 755 "$W/ftp/incoming"
  rm -f "$W/ftp/incoming/"*
  {
    printf '%s\n' listen=YES "listen_address=$1" listen_ipv6=NO anonymous_enable=YES "anon_root=$W/ftp" \
      anon_upload_enable=YES anon_mkdir_write_enable=YES write_enable=YES no_anon_password=YES local_enable=NO \
      pasv_enable=YES pasv_min_port=40000 pasv_max_port=40100 secure_chroot_dir=/var/run/vsftpd/empty background=NO
    cat
  } >"$2"
}

cleanup() {
  set +e
  trap '' TERM INT
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for n in $NSS; do
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$LAB-$n" || continue
    for p in $(ip netns pids "$LAB-$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  for n in $NSS; do ip netns del "$LAB-$n" 2>/dev/null; done
  trap - TERM INT
}
trap cleanup EXIT

host() { # name ip mac
  local n="$1" ipa="$2" mac="$3"
  ip netns add "$LAB-$n"
  ip link add "${LAB}p-$n" type veth peer name eth0 netns "$LAB-$n"
  ip link set "${LAB}p-$n" netns "$LAB-sw"
  ns sw ip link set "${LAB}p-$n" master br0 up
  ns "$n" ip link set eth0 address "$mac"
  ns "$n" ip addr add "$ipa/24" brd + dev eth0
  ns "$n" ip link set eth0 up
  ns "$n" ip link set lo up
  ns "$n" ethtool -K eth0 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  # no IPv6 on the lab links (build.ts keeps IPv4 and ARP only anyway)
  ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  # hosts, not routers (new namespaces may start with the host's ip_forward=1: fake ICMP redirects)
  ns "$n" sysctl -qw net.ipv4.ip_forward=0
}

# The bridge, the hosts, and the device's route to the "internet" through the victim.
lab_network() {
  cleanup
  set -e
  PIDS=()
  ip netns add "$LAB-sw"
  ns sw ip link add br0 type bridge
  ns sw ip link set br0 up
  ns sw ip link set lo up
  host att "$ATT_IP" "$ATT_MAC"
  host vic "$VIC_IP" "$VIC_MAC"
  for d in $DUMMIES; do host "d$d" "$NET.$d" "02:66:00:00:00:$d"; done
  ns att ip route add "$WAN" via "$VIC_IP"
  INDEX="$RAW/index.jsonl"
  : >"$INDEX.tmp"
}

# The victim routes the "internet": an id whose internet host sends from an internet address by the route's source
# address must not make the victim's ARP requests name that address. arp_announce 2: they name its own LAN address.
victim_arp_names_lan() {
  ns vic sysctl -qw net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2
}

# Captures one id on the device's link while CMD runs in the device's namespace; appends its index line.
# CAP_VIC_IP / CAP_VIC_MAC name another victim, CAP_WAN the "internet" the injection maps to a public peer.
cap() { # ID FAMILY TOOL ROLES PEER HELDOUT TIMEOUT_S CMD...
  local id="$1" fam="$2" tool="$3" roles="$4" peer="$5" held="$6" tmo="$7"; shift 7
  want "$id" || return 0
  local f="$RAW/$id.pcap"
  ip netns exec "$LAB-att" timeout $((tmo + 30)) tcpdump -i eth0 -n -s 0 -U -w "$f" 2>/dev/null &
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
  echo "$GEN: $id ($fam/$tool) rc=$rc packets=${pk:-0} ${dur}s" >&2
}

# Merges this run's index lines into OUT/attacks/index.jsonl (a re-made id replaces its old line).
lab_index() {
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
  echo "$GEN: wrote $(wc -l <"$INDEX") captures to $RAW" >&2
}

# An nginx for one id (fresh15/, fresh16/): NAME, its listen lines ("listen A:443 ssl;" ...) and the server block's
# other lines on stdin; server_name is $NGINX_SERVER_NAME. Files in $W/nginx-NAME (www/ the document root); the
# generator starts it as the id needs.
nginx_conf() { # NAME LISTEN-LINES
  local d="$W/nginx-$1"
  rm -rf "$d"; mkdir -p "$d/tmp" "$d/www"
  {
    cat <<EOF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/fcgi;
  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  client_max_body_size 50m;
  default_type application/octet-stream;
  ssl_certificate $W/tls.crt;
  ssl_certificate_key $W/tls.key;
  server {
$2
    server_name $NGINX_SERVER_NAME;
    root $d/www;
EOF
    cat
    printf '  }\n}\n'
  } > "$d/nginx.conf"
}
# Waits up to 15 s for a TCP listener, from namespace NS.
wait_tcp() { # NS ADDRESS PORT
  local i
  for i in $(seq 1 30); do ns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.5; done
  echo "$GEN: $2:$3 did not come up" >&2
}
