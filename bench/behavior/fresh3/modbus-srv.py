#!/usr/bin/python3
"""A minimal Modbus/TCP server (a PLC-like neighbour) for the f3 lab: reads answer zeros / stored values,
writes (FC 5, 6, 15, 16) are stored and echoed as a real device does. Bound to one lab address, port 502."""
import socketserver
import struct
import sys

REGS = [0] * 1000
COILS = [0] * 1000


class H(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        while True:
            head = sock.recv(7)
            if len(head) < 7:
                return
            tid, pid, length, unit = struct.unpack(">HHHB", head)
            pdu = b""
            while len(pdu) < length - 1:
                chunk = sock.recv(length - 1 - len(pdu))
                if not chunk:
                    return
                pdu += chunk
            fc = pdu[0]
            if fc in (1, 2):
                addr, n = struct.unpack(">HH", pdu[1:5])
                nb = (n + 7) // 8
                bits = bytearray(nb)
                for i in range(n):
                    if COILS[(addr + i) % 1000]:
                        bits[i // 8] |= 1 << (i % 8)
                resp = bytes([fc, nb]) + bytes(bits)
            elif fc in (3, 4):
                addr, n = struct.unpack(">HH", pdu[1:5])
                resp = bytes([fc, 2 * n]) + b"".join(struct.pack(">H", REGS[(addr + i) % 1000]) for i in range(n))
            elif fc == 5:
                addr, v = struct.unpack(">HH", pdu[1:5])
                COILS[addr % 1000] = 1 if v == 0xFF00 else 0
                resp = pdu[:5]
            elif fc == 6:
                addr, v = struct.unpack(">HH", pdu[1:5])
                REGS[addr % 1000] = v
                resp = pdu[:5]
            elif fc in (15, 16):
                addr, n = struct.unpack(">HH", pdu[1:5])
                if fc == 16:
                    for i in range(n):
                        REGS[(addr + i) % 1000] = struct.unpack(">H", pdu[6 + 2 * i : 8 + 2 * i])[0]
                resp = pdu[:5]
            else:
                resp = bytes([fc | 0x80, 1])
            sock.sendall(struct.pack(">HHHB", tid, pid, len(resp) + 1, unit) + resp)


class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True


S((sys.argv[1], 502), H).serve_forever()
