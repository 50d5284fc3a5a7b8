#!/usr/bin/python3
"""WS-Discovery (ONVIF camera discovery) for the f11 attack set, bounded in time.

  wsd.py respond BIND_IP XADDR SECONDS   a camera: answers a multicast Probe on 239.255.255.250:3702 with a
                                          unicast ProbeMatches naming XADDR (its ONVIF device service URL)
  wsd.py probe SRC_IP OUTFILE SECONDS     the attacker: sends a Probe for NetworkVideoTransmitter twice from
                                          SRC_IP, writes the XAddrs of the answers to OUTFILE, one a line
Only ever run inside the benchmark's network namespaces.
"""

import re
import socket
import struct
import sys
import time
import uuid

GROUP, PORT = "239.255.255.250", 3702
PROBE = (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
    "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
    "<a:MessageID>uuid:{mid}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>"
    "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>"
)
MATCH = (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
    "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>"
    "<a:MessageID>uuid:{mid}</a:MessageID><a:RelatesTo>uuid:{rel}</a:RelatesTo></s:Header><s:Body><d:ProbeMatches>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:{dev}</a:Address></a:EndpointReference>"
    "<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder "
    "onvif://www.onvif.org/hardware/IPC-HDW onvif://www.onvif.org/name/IPCAM</d:Scopes>"
    "<d:XAddrs>{xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>"
    "</d:ProbeMatches></s:Body></s:Envelope>"
)


def respond(bind_ip: str, xaddr: str, seconds: float) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", PORT))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton(bind_ip)))
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((bind_ip, 0))
    dev = uuid.uuid4()
    end = time.time() + seconds
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        m = re.search(rb"MessageID>uuid:([0-9a-f-]+)<", data)
        if b"Probe<" not in data and b"Probe>" not in data or not m:
            continue
        time.sleep(0.05)
        out.sendto(MATCH.format(mid=uuid.uuid4(), rel=m.group(1).decode(), dev=dev, xaddr=xaddr).encode(), peer)


def probe(src_ip: str, outfile: str, seconds: float) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src_ip, 0))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src_ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    found = []
    end = time.time() + seconds
    for i in range(2):
        s.sendto(PROBE.format(mid=uuid.uuid4()).encode(), (GROUP, PORT))
        stop = min(end, time.time() + seconds / 2)
        while time.time() < stop:
            s.settimeout(max(0.1, stop - time.time()))
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                break
            for x in re.findall(rb"<d:XAddrs>([^<]+)</d:XAddrs>", data):
                if x.decode() not in found:
                    found.append(x.decode())
    with open(outfile, "w") as f:
        f.write("".join(x + "\n" for x in found))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "respond":
        respond(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "probe":
        probe(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(__doc__)
