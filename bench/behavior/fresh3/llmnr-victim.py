#!/usr/bin/python3
"""A neighbour that looks up 'wpad' (and a mistyped share name) over LLMNR, as Windows does, and fetches
wpad.dat from whoever answers. argv[1]: its own address. Bounded: 8 rounds, 6 s apart."""
import random, socket, struct, sys, time, urllib.request
me = sys.argv[1]
for r in range(8):
    for name in ("wpad", "fileserver01") if r % 2 == 0 else ("wpad",):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(me))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        s.bind((me, 0)); s.settimeout(1.0)
        q = struct.pack(">HHHHHH", random.randint(0, 65535), 0, 1, 0, 0, 0) + bytes([len(name)]) + name.encode() + b"\0" + struct.pack(">HH", 1, 1)
        s.sendto(q, ("224.0.0.252", 5355))
        try:
            a, _ = s.recvfrom(2048)
            ip = socket.inet_ntoa(a[-4:])
            if name == "wpad":
                urllib.request.urlopen(f"http://{ip}/wpad.dat", timeout=3).read()
        except Exception:
            pass
        s.close()
    time.sleep(6)
