#!/usr/bin/python3
"""f6-backconnect-proxy: the device as a node of a back-connect ("residential") proxy network. It dials its
controller (control channel on CTRL_PORT, kept open, a heartbeat every 10 s), the controller hands it customers'
requests ("JOB id host port path"), the device opens the connection to that web server itself, and hands the
answer back over a new connection to the controller's data port (CTRL_PORT + 1). No inbound connection to the
device: it works behind NAT, which is why such networks use it.
server (the controller, the victim's namespace): argv = server IP CTRL_PORT JOBS WEB_PREFIX (e.g. 10.128.80.)
  WEB_HOSTS; JOBS requests over ~70 s to WEB_HOSTS web servers on 80
agent (the device): argv = agent IP CTRL_PORT SECONDS"""
import random, socket, sys, threading, time


def server(ip, port, jobs, prefix, hosts):
    rnd = random.Random(1080)
    data = socket.create_server((ip, port + 1), reuse_port=True)
    threading.Thread(target=lambda: [data.accept()[0].recv(1 << 20) for _ in iter(int, 1)], daemon=True).start()
    ctrl = socket.create_server((ip, port), reuse_port=True)
    while True:
        c, _ = ctrl.accept()
        try:
            c.recv(256)
            for j in range(jobs):
                h = f"{prefix}{rnd.randint(1, hosts)}"
                path = rnd.choice(["/", "/index.html", "/login", "/search?q=%d" % rnd.randint(1, 9999), "/cart"])
                c.sendall(f"JOB {j} {h} 80 {path}\n".encode())
                time.sleep(rnd.uniform(0.3, 3.0))
            c.sendall(b"IDLE\n")
            while c.recv(256):
                pass
        except OSError:
            pass
        c.close()


def fetch(ip, port, job):
    _, jid, host, hport, path = job.split()
    try:
        w = socket.create_connection((host, int(hport)), timeout=5)
        w.sendall(f"GET {path} HTTP/1.1\r\nHost: shop{jid}.example\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; "
                  f"Win64; x64)\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode())
        body = b""
        while True:
            b = w.recv(65536)
            if not b:
                break
            body += b
        w.close()
    except OSError:
        body = b"ERR"
    try:
        d = socket.create_connection((ip, port + 1), timeout=5)
        d.sendall(f"RES {jid} {len(body)}\n".encode() + body)
        d.close()
    except OSError:
        pass


def agent(ip, port, seconds):
    t0 = time.time()
    c = socket.create_connection((ip, port), timeout=5)
    c.sendall(b"HELLO node=cam-7f3a arch=armv7 bw=2048\n")
    c.settimeout(1)
    buf, last_hb, threads = b"", time.time(), []
    while time.time() - t0 < seconds:
        try:
            b = c.recv(4096)
            if not b:
                break
            buf += b
        except socket.timeout:
            pass
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(b"JOB"):
                t = threading.Thread(target=fetch, args=(ip, port, line.decode()))
                t.start()
                threads.append(t)
        if time.time() - last_hb > 10:
            c.sendall(b"HB\n")
            last_hb = time.time()
    for t in threads:
        t.join(10)
    c.close()


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
else:
    agent(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
