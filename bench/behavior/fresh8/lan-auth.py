#!/usr/bin/python3
"""f8: login prompts of LAN neighbours for password guessers (hydra's rtsp and vnc modules). Only ever bound to
addresses inside the benchmark's network namespaces; nothing is run, every login fails, the point is the guessers'
traffic.
  rtsp: an IP camera's RTSP server: OPTIONS answered, DESCRIBE without the right Basic credentials 401 (realm
        "IPCAM"), with them 200 and a short SDP; several requests per connection.
  vnc:  an RFB 3.8 server asking for VNC authentication (a 16-byte challenge) and refusing every answer.
Usage: lan-auth.py rtsp|vnc ADDR PORT [SECONDS]"""
import base64, os, socket, sys, threading, time

GOOD = "Basic " + base64.b64encode(b"admin:Cam2019!x").decode()
SDP = "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=live\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"


def rtsp(conn):
    conn.settimeout(20)
    buf = b""
    for _ in range(200):  # bounded number of requests per connection
        while b"\r\n\r\n" not in buf:
            d = conn.recv(4096)
            if not d or len(buf) > 65536:
                return
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        hdr = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        cseq = hdr.get("cseq", "1")
        method = lines[0].split(" ")[0]
        if method == "OPTIONS":
            r = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
        elif hdr.get("authorization") == GOOD:
            r = (f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
                 f"Content-Length: {len(SDP)}\r\n\r\n{SDP}")
        else:
            r = f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Basic realm="IPCAM"\r\n\r\n'
        conn.sendall(r.encode())


def vnc(conn):
    conn.settimeout(20)
    conn.sendall(b"RFB 003.008\n")
    if len(conn.recv(12)) < 12:
        return
    conn.sendall(bytes([1, 2]))  # one security type: VNC authentication
    if not conn.recv(1):
        return
    conn.sendall(os.urandom(16))
    got = b""
    while len(got) < 16:
        d = conn.recv(16 - len(got))
        if not d:
            return
        got += d
    time.sleep(0.05)
    reason = b"Authentication failed"
    conn.sendall((1).to_bytes(4, "big") + len(reason).to_bytes(4, "big") + reason)


def main():
    kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    end = time.time() + (float(sys.argv[4]) if len(sys.argv) > 4 else 300)
    handler = rtsp if kind == "rtsp" else vnc
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(1)

    def run(c):
        try:
            handler(c)
        except OSError:
            pass
        finally:
            c.close()

    while time.time() < end:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=run, args=(c,), daemon=True).start()


main()
