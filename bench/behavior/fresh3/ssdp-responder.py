#!/usr/bin/python3
"""A UPnP device's SSDP responder (the f3 lab's device), answering every M-SEARCH (multicast or unicast) with
one response per advertised service, as many IoT devices do: the reflector of SSDP amplification."""
import socket, sys
me = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 1900))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.255.255.250") + socket.inet_aton(me))
types = ["upnp:rootdevice", "urn:Belkin:device:controllee:1", "urn:Belkin:service:basicevent:1",
         "urn:Belkin:service:firmwareupdate:1", "urn:schemas-upnp-org:device:Basic:1"]
while True:
    q, peer = s.recvfrom(2048)
    if not q.startswith(b"M-SEARCH"): continue
    for st in types:
        r = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=86400\r\nDATE: Sun, 06 Dec 2026 10:00:00 GMT\r\nEXT:\r\n"
             f"LOCATION: http://{me}:49153/setup.xml\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
             "01-NLS: 905bfa3c-1dd2-11b2-8928-fd8aebaf491c\r\nSERVER: Unspecified, UPnP/1.0, Unspecified\r\n"
             f"X-User-Agent: redsonic\r\nST: {st}\r\nUSN: uuid:Socket-1_0-221517K0101769::{st}\r\n\r\n")
        s.sendto(r.encode(), peer)
