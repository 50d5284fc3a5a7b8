#!/usr/bin/python3
"""f7-mdns-ssdp-recon: reconnaissance of the LAN by its discovery protocols, as malware does before it picks
targets: mDNS browsing (the DNS-SD meta-query, then PTR queries for a dozen service types, from port 5353 to
224.0.0.251) and SSDP M-SEARCH (ssdp:all, upnp:rootdevice, the IGD) to 239.255.255.250:1900, then a GET of every
device description the SSDP answers point to. ROUNDS rounds, GAP s apart.
responder (a neighbour's namespace): argv = responder IP KIND (printer | tv | nas | router); answers mDNS queries for
its services by multicast, M-SEARCH by unicast, and serves its description over HTTP
client (the device): argv = client IP ROUNDS GAP"""
import random, socket, struct, sys, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

MDNS, SSDP = ("224.0.0.251", 5353), ("239.255.255.250", 1900)
TYPES = ["_http._tcp", "_ipp._tcp", "_printer._tcp", "_googlecast._tcp", "_airplay._tcp", "_hap._tcp", "_smb._tcp",
         "_afpovertcp._tcp", "_ssh._tcp", "_rtsp._tcp", "_workstation._tcp", "_device-info._tcp"]
KINDS = {"printer": (["_ipp._tcp", "_printer._tcp", "_http._tcp"], None),
         "tv": (["_googlecast._tcp", "_airplay._tcp"], ("urn:schemas-upnp-org:device:MediaRenderer:1", 49152)),
         "nas": (["_smb._tcp", "_afpovertcp._tcp", "_http._tcp", "_device-info._tcp"],
                 ("urn:schemas-upnp-org:device:MediaServer:1", 5000)),
         "router": ([], ("urn:schemas-upnp-org:device:InternetGatewayDevice:1", 5431))}


def name(n):
    return b"".join(bytes([len(p)]) + p.encode() for p in n.split(".") if p) + b"\0"


def query(names, qid=0):
    return struct.pack(">6H", qid, 0, len(names), 0, 0, 0) + b"".join(name(n) + struct.pack(">HH", 12, 1) for n in names)


def qnames(d):
    try:
        qd = struct.unpack(">H", d[4:6])[0]
        if struct.unpack(">H", d[2:4])[0] & 0x8000:
            return []
        i, out = 12, []
        for _ in range(qd):
            parts = []
            while d[i]:
                parts.append(d[i + 1:i + 1 + d[i]].decode())
                i += 1 + d[i]
            i += 5
            out.append(".".join(parts))
        return out
    except Exception:
        return []


def rr(n, t, data, ttl=120):
    return name(n) + struct.pack(">HHIH", t, 0x8001, ttl, len(data)) + data


def mcast_sock(ip, group, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255 if port == 5353 else 2)
    return s


def responder(ip, kind):
    svcs, upnp = KINDS[kind]
    host = f"{kind}-{ip.split('.')[-1]}"

    def mdns():
        s = mcast_sock(ip, *MDNS)
        while True:
            d, a = s.recvfrom(9000)
            if a[0] == ip:
                continue
            ans = []
            for q in qnames(d):
                if q == "_services._dns-sd._udp.local":
                    ans += [rr(q, 12, name(t + ".local")) for t in svcs]
                elif q[:-6] in svcs:
                    inst = f"{host}.{q}"
                    ans += [rr(q, 12, name(inst)), rr(inst, 33, struct.pack(">HHH", 0, 0, 631) + name(host + ".local")),
                            rr(inst, 16, b"\x09txtvers=1\x0dmodel=Generic"), rr(host + ".local", 1, socket.inet_aton(ip))]
            if ans:
                time.sleep(random.uniform(0.02, 0.12))
                s.sendto(struct.pack(">6H", 0, 0x8400, 0, len(ans), 0, 0) + b"".join(ans), MDNS)

    def ssdp():
        s = mcast_sock(ip, *SSDP)
        while True:
            d, a = s.recvfrom(9000)
            if not d.startswith(b"M-SEARCH"):
                continue
            time.sleep(random.uniform(0.05, 0.5))
            s.sendto((f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://{ip}:{upnp[1]}/desc.xml\r\n"
                      f"SERVER: Linux/3.10 UPnP/1.0 MiniUPnPd/2.1\r\nST: {upnp[0]}\r\nUSN: uuid:{host}::{upnp[0]}\r\n\r\n").encode(), a)

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            b = (f'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>{upnp[0]}'
                 f"</deviceType><friendlyName>{host}</friendlyName><manufacturer>Generic</manufacturer><modelName>"
                 f"{kind.upper()}-3000</modelName><UDN>uuid:{host}</UDN></device></root>").encode()
            self.send_response(200)
            self.send_header("Content-Type", 'text/xml; charset="utf-8"')
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

    if svcs:
        threading.Thread(target=mdns, daemon=True).start()
    if upnp:
        threading.Thread(target=ssdp, daemon=True).start()
        srv = HTTPServer.__new__(HTTPServer)
        HTTPServer.__init__(srv, (ip, upnp[1]), H, bind_and_activate=False)
        srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.socket.bind((ip, upnp[1]))   # no server_bind(): it does a reverse lookup (a DNS query)
        srv.server_address = (ip, upnp[1])
        srv.socket.listen(8)
        srv.serve_forever()
    while True:
        time.sleep(60)


def client(ip, rounds, gap):
    m = mcast_sock(ip, *MDNS)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((ip, 0))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    u.settimeout(0.3)
    for r in range(rounds):
        m.sendto(query(["_services._dns-sd._udp.local"]), MDNS)
        time.sleep(1)
        for i in range(0, len(TYPES), 4):
            m.sendto(query([t + ".local" for t in TYPES[i:i + 4]]), MDNS)
            time.sleep(0.3)
        locs = set()
        for st in ["ssdp:all", "upnp:rootdevice", "urn:schemas-upnp-org:device:InternetGatewayDevice:1"]:
            u.sendto((f"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n"
                      f"ST: {st}\r\nUSER-AGENT: Linux/4.9 UPnP/1.1 Portable SDK for UPnP devices/1.8.4\r\n\r\n").encode(), SSDP)
            t0 = time.time()
            while time.time() - t0 < 2.5:
                try:
                    d, _ = u.recvfrom(9000)
                except socket.timeout:
                    continue
                for line in d.decode(errors="replace").split("\r\n"):
                    if line.upper().startswith("LOCATION:"):
                        locs.add(line.split(":", 1)[1].strip())
        for loc in sorted(locs):
            try:
                urllib.request.build_opener(urllib.request.ProxyHandler({})).open(loc, timeout=3).read()
            except Exception:
                pass
        if r + 1 < rounds:
            time.sleep(gap)


if sys.argv[1] == "responder":
    responder(sys.argv[2], sys.argv[3])
else:
    client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
