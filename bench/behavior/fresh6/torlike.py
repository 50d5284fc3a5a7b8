#!/usr/bin/python3
"""f6-tor-like: a Tor client's bootstrap and circuit traffic, shaped as Tor's link protocol (v4: VERSIONS,
CERTS, AUTH_CHALLENGE and NETINFO cells, then fixed 514-byte cells) inside TLS to relays' ORPorts, plus
old-style plain-HTTP directory fetches from DirPorts (9030). No real onion routing: the cells' contents are
random, only their sizes, counts and timing follow what a Tor client sends.

server (the victim's namespace, until killed): argv = server CERT KEY; ORPort on 0.0.0.0:9001 and :443
  (relays are addresses of a range routed to the victim's lo), DirPort 0.0.0.0:9030 (a 180 kB
  "consensus" and 60 kB of "microdescriptors").
client (the device): argv = client SECONDS DIRS FALLBACKS GUARDS, each a comma-separated list of IP[:PORT];
  fetches from the DirPorts, opens a link to each fallback directory (a consensus and microdescriptors
  through it, then closes), then keeps links to the guards and sends circuit traffic through them
  (CREATE2 / CREATED2, RELAY bursts of a C2 session every few seconds) until SECONDS have passed."""
import os, random, socket, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer


class Quiet(ThreadingHTTPServer):
    """No socket.getfqdn() on bind (HTTPServer's: a reverse lookup the lab has no resolver for)."""
    daemon_threads = True

    def server_bind(self):
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
from socketserver import ThreadingTCPServer, BaseRequestHandler

CELL = 514
rnd = random.Random(9001)


def cell(cmd, first=0, circ=0x80000001):
    return circ.to_bytes(4, "big") + bytes([cmd, first]) + os.urandom(CELL - 6)


def var_cell(cmd, payload):
    return b"\x00\x00" + bytes([cmd]) + len(payload).to_bytes(2, "big") + payload


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


class OR(BaseRequestHandler):
    def handle(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        try:
            s = ctx.wrap_socket(self.request, server_side=True)
            s.settimeout(120)
            hdr = read_exact(s, 5)  # VERSIONS (circ id 2 bytes, cmd 7, length)
            read_exact(s, int.from_bytes(hdr[3:5], "big"))
            s.sendall(var_cell(7, b"\x00\x03\x00\x04\x00\x05") + var_cell(129, os.urandom(1380))
                      + var_cell(130, os.urandom(38)) + cell(8, circ=0))
            while True:
                c = read_exact(s, CELL)
                cmd, n = c[4], c[5]
                if cmd in (5, 10):  # CREATE_FAST -> CREATED_FAST, CREATE2 -> CREATED2
                    s.sendall(cell(cmd + 1, circ=int.from_bytes(c[:4], "big")))
                elif cmd == 3 and n:  # RELAY: n answer cells ((n - 200) * 16 for a directory fetch when n > 200)
                    k = n if n <= 200 else (n - 200) * 16
                    s.sendall(b"".join(cell(3, circ=int.from_bytes(c[:4], "big")) for _ in range(k)))
        except (EOFError, OSError, ssl.SSLError):
            pass


class Dir(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *a):
        pass

    def do_GET(self):
        n = 180000 if "consensus" in self.path else 60000
        body = os.urandom(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Encoding", "deflate")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(body)


def server():
    ThreadingTCPServer.allow_reuse_address = True
    ThreadingTCPServer.daemon_threads = True
    for port in (9001, 443):
        srv = ThreadingTCPServer(("0.0.0.0", port), OR)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    Quiet(("0.0.0.0", 9030), Dir).serve_forever()


def addr(a, port):
    h, _, p = a.partition(":")
    return h, int(p or port)


def link(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(addr(a, 9001), timeout=4)
    s = ctx.wrap_socket(raw, server_hostname=f"www.{rnd.getrandbits(40):x}.com")
    s.settimeout(30)
    s.sendall(var_cell(7, b"\x00\x03\x00\x04\x00\x05"))
    for _ in range(3):  # VERSIONS, CERTS, AUTH_CHALLENGE
        h = read_exact(s, 5)
        read_exact(s, int.from_bytes(h[3:5], "big"))
    read_exact(s, CELL)  # NETINFO
    s.sendall(cell(8, circ=0))
    return s


def relay(s, circ, sent, answer):
    s.sendall(b"".join(cell(3, answer if i == sent - 1 else 0, circ) for i in range(sent)))
    k = answer if answer <= 200 else (answer - 200) * 16
    read_exact(s, CELL * k)


def client():
    seconds = float(sys.argv[2])
    dirs, fallbacks, guards = (x.split(",") if x else [] for x in sys.argv[3:6])
    t0 = time.time()
    for d in dirs:  # old-style DirPort fetches
        try:
            h, p = addr(d, 9030)
            c = socket.create_connection((h, p), timeout=4)
            c.sendall(f"GET /tor/status-vote/current/consensus-microdesc HTTP/1.0\r\nHost: {h}\r\n\r\n".encode())
            while c.recv(65536):
                pass
            c.close()
        except OSError:
            pass
    got = 0
    for f in fallbacks:  # directory fetches through fallbacks' ORPorts (BEGIN_DIR), a few of them down
        try:
            s = link(f)
            circ = 0x80000000 | rnd.getrandbits(31)
            s.sendall(cell(5, circ=circ))  # CREATE_FAST
            read_exact(s, CELL)
            relay(s, circ, 1, 255 if got == 0 else 212)
            got += 1
            s.close()
        except (OSError, EOFError, ssl.SSLError):
            pass
        if got >= 3:
            break
    links = []
    for g in guards:
        try:
            links.append(link(g))
        except (OSError, EOFError, ssl.SSLError):
            pass
    circs = []
    for s in links:  # preemptive circuits: CREATE2, then EXTEND2 twice (RELAY_EARLY)
        for _ in range(2):
            circ = 0x80000000 | rnd.getrandbits(31)
            s.sendall(cell(10, circ=circ))
            read_exact(s, CELL)
            relay(s, circ, 1, 1)
            relay(s, circ, 1, 1)
            circs.append((s, circ))
    while circs and time.time() - t0 < seconds:  # the C2 session through the first guard, padding on the others
        s, circ = circs[0]
        try:
            relay(s, circ, rnd.randint(1, 3), rnd.randint(2, 24))
            for s2, c2 in circs[2::2]:
                if rnd.random() < 0.3:
                    relay(s2, c2, 1, 1)
        except (OSError, EOFError, ssl.SSLError):
            break
        time.sleep(rnd.uniform(2, 7))
    for s in links:
        s.close()


server() if sys.argv[1] == "server" else client()
