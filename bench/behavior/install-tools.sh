#!/usr/bin/env bash
# Debian packages the behaviour benchmark's attack generator and builder use (not needed by the unit tests,
# so not in scripts/ensure-system-deps.sh). Run as root.
#   bash bench/behavior/install-tools.sh          # the tuning set's and the "fresh tools" set's
#   bash bench/behavior/install-tools.sh --sets   # … and every fresh attack set's (fresh3/ … fresh25/; rebuild-all.sh)
set -euo pipefail
SETS=0
[ "${1:-}" = --sets ] && SETS=1
PKGS=(
  iproute2 iputils-ping arping ethtool tcpdump tshark bc openssl busybox netcat-openbsd curl  # plumbing
  tcpreplay                         # tcprewrite (injection); editcap/mergecap/capinfos come with tshark
  nmap                              # scans and sweeps
  hydra medusa                      # credential attacks
  openssh-server openssh-client vsftpd  # ssh/ftp victims, scp exfiltration
  samba smbclient python3-impacket  # SMB/RPC lateral movement
  xrdp freerdp2-x11                 # RDP victim (xrdp); hydra's rdp module needs freerdp's library
  dnsutils dnsmasq-base iodine      # DNS server, dig query loops, iodine tunnel
  # the "fresh tools" set (gen-attacks.sh --only fresh)
  masscan hping3 ncrack patator socat ptunnel-ng rsync mosquitto mosquitto-clients dns2tcp slowhttptest
)
# Each set's "Tools:" line in README.md, in one list. The packages' services are not started by apt on these machines
# (policy-rc.d refuses); the generators start their own inside the lab's namespaces.
[ "$SETS" = 1 ] && PKGS+=(
  swaks microsocks onesixtyone snmp snmpd sipvicious python3-pymodbus python3-serial-asyncio tftp-hpa tftpd-hpa  # f3
  stunnel4 apache2-utils redis-tools
  samba-common-bin dsniff dnsmasq miniupnpc miniupnpd libcoap3-bin memcached ffmpeg slapd ldap-utils nftables    # f4
  ncat chrony python3-scapy                                                                                       # f5
  lftp python3-websockets python3-dnslib python3-libtorrent                                                       # f6
  nbtscan python3-h2                                                                                              # f7
  ngtcp2-client ngtcp2-server                                                                                     # f8
  wireguard-go wireguard-tools coturn ngircd                                                                      # f9
  httptunnel knot-dnsutils dnsperf                                                                                # f10
  knockd ike-scan                                                                                                 # f11
  openvpn openbsd-inetd mariadb-server krb5-kdc krb5-admin-server krb5-user snmptrapd prosody go-sendxmpp         # f12
  finger efingerd python3-aiosmtpd libnfs-utils nfs-ganesha nfs-ganesha-vfs redis-server rpcbind bind9-dnsutils  # f13
  nginx kcptun v2ray shadowsocks-libev simple-obfs influxdb opensmtpd                                             # f14
  dovecot-imapd obfs4proxy squid baresip strongswan-swanctl strongswan-charon libcharon-extra-plugins             # f15
  git fcgiwrap paho.mqtt.c-examples websocketd zabbix-agent zabbix-proxy-sqlite3 knxd knxd-tools mktorrent aria2  # f16
  opentracker rtsp-server-perl
  tinc rabbitmq-server amqp-tools libmemcached-tools inetutils-telnetd telnet freeradius freeradius-utils     # f17
  xvfb x11-apps x11-utils xdotool
  cups cups-ipp-utils cups-client tgt libiscsi-bin qemu-utils qemu-block-extra syncthing mosh icecast2           # f18
  openipmi ipmitool bind9
  ocserv openconnect linuxptp rclone libnginx-mod-http-dav-ext subversion rsh-redone-client rsh-redone-server     # f19
  etcd-server etcd-client nebula n2n
  keepalived bird2 nats-server nagios-nrpe-server nagios-nrpe-plugin monitoring-plugins-basic gophernicus      # f20
  beanstalkd
  nghttp2-server nghttp2-client erlang-base distcc sane-utils nbd-server libnbd-bin dcmtk dictd dict dictfmt     # f21
  srt-tools
  miredo miredo-server yggdrasil sslh openssh-server openssh-client zookeeperd prometheus-pushgateway curl     # f22
  collectd-core graphite-carbon netcat-openbsd socat nftables
  wakeonlan hping3 openbsd-inetd avahi-daemon bind9-dnsutils ncat trojan nginx curl                             # f23
  dovecot-pop3d vtun quicktun uftp iperf3 x11vnc tigervnc-viewer xvfb x11-apps gvpe                            # f24
  dirb lpr rlpr mariadb-server mariadb-client nmap hping3 nginx iputils-ping                                   # f25
  wireshark-common bc
)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  # OpenSMTPD (f14) asks for a mail name; krb5 (f12) for a realm.
  echo "opensmtpd opensmtpd/mailname string lab.invalid" | debconf-set-selections
  echo "krb5-config krb5-config/default_realm string LAB.INVALID" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "install-tools: all ${#PKGS[@]} packages present"
