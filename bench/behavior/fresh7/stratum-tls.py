#!/usr/bin/python3
"""f7-stratum-tls-miner: a Monero-style miner speaking Stratum (JSON-RPC lines) inside TLS to a pool: login, the pool
pushes a new job every 15-25 s, the miner submits a share every 4-9 s and sends keepalived now and then, over one
connection, until SECONDS have passed. No hashing is done; the shares are random.
server (the victim's namespace): argv = server IP PORT CERT KEY
client (the device): argv = client IP PORT SECONDS"""
import json, os, random, select, socket, ssl, sys, threading, time


def job(rnd):
    return {"blob": os.urandom(76).hex(), "job_id": os.urandom(8).hex(), "target": "b88d0600", "height": 3012345 +
            rnd.randint(0, 9), "seed_hash": os.urandom(32).hex(), "algo": "rx/0"}


def serve_one(s):
    rnd = random.Random(3)
    f = s.makefile("rwb", buffering=0)
    nxt = None
    buf = b""
    while True:
        t = 1.0 if nxt is None else max(0.05, nxt - time.time())
        r, _, _ = select.select([s], [], [], t)
        if r:
            d = s.recv(65535)
            if not d:
                return
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                m = json.loads(line)
                if m.get("method") == "login":
                    res = {"id": "a1b2c3d4e5f6", "job": job(rnd), "extensions": ["keepalive"], "status": "OK"}
                    nxt = time.time() + rnd.uniform(15, 25)
                else:
                    res = {"status": "OK"}
                f.write((json.dumps({"id": m.get("id"), "jsonrpc": "2.0", "error": None, "result": res}) + "\n").encode())
        if nxt is not None and time.time() >= nxt:
            f.write((json.dumps({"jsonrpc": "2.0", "method": "job", "params": job(rnd)}) + "\n").encode())
            nxt = time.time() + rnd.uniform(15, 25)


def server(ip, port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, port))
    ls.listen(4)
    while True:
        s, _ = ls.accept()
        def run(s=s):
            try:
                serve_one(ctx.wrap_socket(s, server_side=True))
            except Exception:
                pass
            s.close()
        threading.Thread(target=run, daemon=True).start()


def client(ip, port, seconds):
    rnd = random.Random()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(socket.create_connection((ip, port), timeout=10), server_hostname="xmr.pool-eu.example")
    mid = 1
    wallet = "4" + os.urandom(47).hex()[:94]
    s.sendall((json.dumps({"id": mid, "jsonrpc": "2.0", "method": "login", "params": {"login": wallet, "pass": "x",
               "agent": "XMRig/6.18.1 (Linux armv7l) libuv/1.44.2 gcc/12.2.0", "algo": ["rx/0", "cn/r"]}}) + "\n").encode())
    t0 = time.time()
    nxt = t0 + rnd.uniform(4, 9)
    ka = t0 + 60
    job_id = None
    buf = b""
    while time.time() - t0 < seconds:
        r, _, _ = select.select([s], [], [], max(0.05, min(nxt, ka) - time.time()))
        if r:
            d = s.recv(65535)
            if not d:
                break
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                m = json.loads(line)
                j = (m.get("params") if m.get("method") == "job" else (m.get("result") or {}).get("job"))
                if j:
                    job_id = j["job_id"]
        now = time.time()
        if job_id and now >= nxt:
            mid += 1
            s.sendall((json.dumps({"id": mid, "jsonrpc": "2.0", "method": "submit", "params": {"id": "a1b2c3d4e5f6",
                       "job_id": job_id, "nonce": os.urandom(4).hex(), "result": os.urandom(32).hex()}}) + "\n").encode())
            nxt = now + rnd.uniform(4, 9)
        if now >= ka:
            mid += 1
            s.sendall((json.dumps({"id": mid, "jsonrpc": "2.0", "method": "keepalived", "params": {"id": "a1b2c3d4e5f6"}})
                       + "\n").encode())
            ka = now + 60
    s.close()


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
else:
    client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
