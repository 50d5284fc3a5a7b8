#!/usr/bin/python3
"""The "internet" of f6-dht-p2p (runs in the victim's namespace until killed): BitTorrent DHT nodes (KRPC,
BEP 5) on every address of a range routed to the victim's lo (`ip route add local RANGE dev lo`), on a few
ports. Each query (ping, find_node, get_peers, announce_peer, get, put) gets a well-formed answer that names 8
other nodes of the range, so a DHT client crawls outwards as it would through the real DHT (a Mozi-style bot
finds its peers this way). Answers leave from the address and port they were sent to (IP_PKTINFO).
After the first query from a client, the "nodes" also query it (ping / get_peers / find_node), at most
INBOUND times, as DHT nodes query a node that joined the table.
argv: RANGE_BASE (e.g. 10.128.200.0) RANGE_SIZE (e.g. 1024) INBOUND PORT..."""
import hashlib, os, random, select, socket, struct, sys, time

IP_PKTINFO = 8
base = struct.unpack(">I", socket.inet_aton(sys.argv[1]))[0]
size, inbound = int(sys.argv[2]), int(sys.argv[3])
ports = [int(p) for p in sys.argv[4:]]
rnd = random.Random(6)


def benc(x):
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return b"%d:%s" % (len(x), x)
    if isinstance(x, list):
        return b"l" + b"".join(benc(v) for v in x) + b"e"
    return b"d" + b"".join(benc(k) + benc(x[k]) for k in sorted(x)) + b"e"


def bdec(s, i=0):
    c = s[i:i + 1]
    if c == b"i":
        j = s.index(b"e", i)
        return int(s[i + 1:j]), j + 1
    if c == b"l":
        out, i = [], i + 1
        while s[i:i + 1] != b"e":
            v, i = bdec(s, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        out, i = {}, i + 1
        while s[i:i + 1] != b"e":
            k, i = bdec(s, i)
            v, i = bdec(s, i)
            out[k] = v
        return out, i + 1
    j = s.index(b":", i)
    n = int(s[i:j])
    return s[j + 1:j + 1 + n], j + 1 + n


def addr_of(k):
    return socket.inet_ntoa(struct.pack(">I", base + 1 + k % (size - 2)))


def node_id(ip, port):
    return hashlib.sha1(f"{ip}:{port}".encode()).digest()


def nodes8():
    out = b""
    for _ in range(8):
        ip = addr_of(rnd.randrange(size))
        port = rnd.choice(ports)
        out += node_id(ip, port) + socket.inet_aton(ip) + struct.pack(">H", port)
    return out


socks = []
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("0.0.0.0", p))
    socks.append(s)
clients = {}  # client (ip, port) -> its node id
sent_in = 0
next_in = 0.0
while True:
    r, _, _ = select.select(socks, [], [], 0.5)
    for s in r:
        data, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(12))
        dst = None
        for lvl, typ, d in anc:
            if lvl == socket.IPPROTO_IP and typ == IP_PKTINFO:
                dst = d[8:12]  # ipi_addr: the address the query was sent to
        try:
            msg, _ = bdec(data)
        except Exception:
            continue
        if not isinstance(msg, dict) or msg.get(b"y") != b"q":
            continue
        me = socket.inet_ntoa(dst) if dst else "0.0.0.0"
        myport = s.getsockname()[1]
        q = msg.get(b"q", b"")
        a = msg.get(b"a", {}) if isinstance(msg.get(b"a"), dict) else {}
        if b"id" in a:
            clients[peer] = a[b"id"]
        rsp = {"id": node_id(me, myport)}
        if q in (b"find_node", b"get_peers", b"get"):
            rsp["nodes"] = nodes8()
        if q in (b"get_peers", b"get", b"put", b"announce_peer"):
            rsp["token"] = os.urandom(8)
        if q == b"get_peers" and rnd.random() < 0.15:
            rsp["values"] = [socket.inet_aton(addr_of(rnd.randrange(size))) + struct.pack(">H", rnd.choice(ports))
                             for _ in range(rnd.randint(1, 4))]
        out = benc({"t": msg.get(b"t", b"aa"), "y": "r", "r": rsp, "v": "LT\x02\x00"})
        anc_out = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=I4s4s", 0, dst or bytes(4), bytes(4)))]
        try:
            s.sendmsg([out], anc_out, 0, peer)
        except OSError:
            pass
    # inbound queries to the clients that joined (bounded), from random nodes of the range
    now = time.time()
    if clients and sent_in < inbound and now >= next_in:
        peer, cid = rnd.choice(list(clients.items()))
        ip, port = addr_of(rnd.randrange(size)), rnd.choice(ports)
        q = rnd.choice(["ping", "get_peers", "find_node"])
        a = {"id": node_id(ip, port)}
        if q == "get_peers":
            a["info_hash"] = os.urandom(20)
        elif q == "find_node":
            a["target"] = os.urandom(20)
        out = benc({"t": os.urandom(2), "y": "q", "q": q, "a": a, "v": "LT\x02\x00"})
        s = socks[ports.index(port)]
        try:
            s.sendmsg([out], [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=I4s4s", 0, socket.inet_aton(ip), bytes(4)))],
                       0, peer)
        except OSError:
            pass
        sent_in += 1
        next_in = now + rnd.uniform(0.5, 2.5)
