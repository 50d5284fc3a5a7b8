#!/usr/bin/python3
"""Victim-side HTTP(S) server for the behaviour benchmark's attack generator.

Only ever bound to an address inside the benchmark's private network namespace.
GET /admin* needs basic auth (target of hydra/medusa http-get), PUT/POST accept and discard
an upload (exfiltration), anything else answers a small JSON body (C2 beacon check-ins).
Usage: victim-httpd.py BIND_ADDR PORT [CERT KEY]
"""

import json
import ssl
import sys
from base64 import b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = "Basic " + b64encode(b"admin:correct-horse-battery").decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the generator's output quiet
        pass

    def _reply(self, code, body, extra=None):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/admin"):
            if self.headers.get("Authorization") != GOOD:
                self._reply(401, '{"error":"auth"}', {"WWW-Authenticate": 'Basic realm="router"'})
                return
            self._reply(200, '{"ok":true}')
            return
        self._reply(200, json.dumps({"task": "sleep", "jitter": 0.3, "id": self.path[-8:]}))

    def _drain(self):
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)

    def do_POST(self):
        self._drain()
        self._reply(200, '{"ack":1}')

    def do_PUT(self):
        self._drain()
        self._reply(201, '{"stored":1}')


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # scanners reset connections; that is expected
        pass


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    server = Server((addr, port), Handler)
    if len(sys.argv) >= 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
