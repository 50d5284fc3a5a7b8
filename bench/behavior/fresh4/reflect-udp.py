#!/usr/bin/python3
"""Spoofed-request sender for the f4 reflector ids (runs in the lab's victim namespace, i.e. from the reflection
target's address): argv = KIND DST COUNT GAP_S. KIND coap: confirmable CoAP GET /.well-known/core to udp/5683;
memcached: a UDP-framed 'get' of a large key to udp/11211. Bounded by COUNT."""
import os, random, socket, struct, sys, time
kind, dst, count, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["VIC_IP"], 0))
for i in range(count):
    if kind == "coap":
        tok = os.urandom(4)
        mid = random.randint(0, 65535)
        # ver 1, CON, TKL 4, GET; Uri-Path ".well-known" (delta 11), Uri-Path "core" (delta 0)
        q = bytes([0x44, 0x01]) + struct.pack(">H", mid) + tok + bytes([0xBB]) + b".well-known" + bytes([0x04]) + b"core"
        s.sendto(q, (dst, 5683))
    else:
        q = struct.pack(">HHHH", random.randint(0, 65535), 0, 1, 0) + b"get cam_cfg cam_fw\r\n"
        s.sendto(q, (dst, 11211))
    time.sleep(gap)
