#!/usr/bin/python3
"""A PostgreSQL server's login step only, for f10's password guessing (gen-fresh10.sh): refuses TLS ('N'), asks
every StartupMessage for an MD5 password and answers every password with FATAL 28P01, then closes. Bound to an
address inside the lab's namespaces only; stops after SECONDS.
Usage: pg-auth.py BIND_ADDR PORT SECONDS
"""

import os
import socket
import socketserver
import struct
import sys
import threading


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise ConnectionError
        b += c
    return b


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        try:
            while True:  # SSLRequest / GSSENCRequest, then the StartupMessage
                n = struct.unpack("!I", recv_exact(s, 4))[0]
                body = recv_exact(s, n - 4)
                code = struct.unpack("!I", body[:4])[0]
                if code in (80877103, 80877104):
                    s.sendall(b"N")
                    continue
                break
            params = body[4:].split(b"\0")
            user = params[params.index(b"user") + 1].decode(errors="replace") if b"user" in params else "?"
            s.sendall(b"R" + struct.pack("!II", 12, 5) + os.urandom(4))
            if recv_exact(s, 1) != b"p":
                return
            n = struct.unpack("!I", recv_exact(s, 4))[0]
            recv_exact(s, n - 4)
            msg = f'password authentication failed for user "{user}"'.encode()
            fields = b"SFATAL\0VFATAL\0C28P01\0M" + msg + b"\0\0"
            s.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
        except (OSError, ConnectionError, ValueError, IndexError):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


srv = Server((sys.argv[1], int(sys.argv[2])), Handler)
threading.Timer(float(sys.argv[3]), srv.shutdown).start()
srv.serve_forever()
