#!/usr/bin/env bash
# Debian packages the behaviour benchmark's attack generator and builder use (not needed by the unit tests,
# so not in scripts/ensure-system-deps.sh). Run as root.
set -euo pipefail
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
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "install-tools: all ${#PKGS[@]} packages present"
