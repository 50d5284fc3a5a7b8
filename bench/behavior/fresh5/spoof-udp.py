#!/usr/bin/python3
"""Spoofed-request sender for the f5 reflector ids (runs in the lab's victim namespace, the device's gateway, with
scapy): each request carries the reflection target's internet address SRC as its source, so the device's answers go
to the gateway and are dropped there, as a real reflection's would leave the network. argv = KIND SRC DST COUNT GAP_S.
KIND dns: TXT / ANY queries (EDNS0 4096) for the device's records to udp/53; ssdp: unicast M-SEARCH ssdp:all to
udp/1900; ntp: NTPv4 client requests (mode 3) to udp/123; monlist: NTP mode-7 MON_GETLIST_1 requests to udp/123.
Bounded by COUNT."""
import random, sys, time
from scapy.all import DNS, DNSQR, DNSRROPT, IP, UDP, Raw, conf, send
conf.verb = 0
kind, src, dst, count, gap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
sport = random.randint(20000, 60000)
for i in range(count):
    if kind == "dns":
        q = DNS(id=random.randint(0, 65535), rd=1, qd=DNSQR(qname=random.choice(["cam.example.", "fw.cam.example."]),
                qtype=255 if i % 3 == 0 else 16), ar=DNSRROPT(rclass=4096))
        p = UDP(sport=sport, dport=53) / q
    elif kind == "ssdp":
        p = UDP(sport=sport, dport=1900) / Raw(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                                             b"MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n")
    elif kind == "ntp":
        # LI 0, VN 4, mode 3; transmit timestamp only
        p = UDP(sport=sport, dport=123) / Raw(bytes([0x23]) + bytes(39) + random.randbytes(8))
    else:
        # mode 7 private request: R=0 M=0 VN 2 mode 7, auth 0 seq 0, implementation 3 (XNTPD), request 42 (MON_GETLIST_1)
        p = UDP(sport=sport, dport=123) / Raw(bytes([0x17, 0x00, 0x03, 0x2a]) + bytes(4) + bytes(40))
    send(IP(src=src, dst=dst, ttl=52) / p)
    time.sleep(gap)
