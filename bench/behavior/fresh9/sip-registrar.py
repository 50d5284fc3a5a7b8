#!/usr/bin/env python3
"""A SIP registrar that never accepts (the far end of fresh9's `f9-sip-register-crack`), bounded by a duration.

  sip-registrar.py ADDR PORT SECONDS

REGISTER / INVITE without credentials -> 401 with a digest challenge; with an Authorization header -> 403;
OPTIONS -> 200. Enough for sipvicious' svcrack to try its whole dictionary against one extension.
"""
import os
import socket
import sys
import time

addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
end = time.time() + secs
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try:
        d, src = s.recvfrom(4000)
    except OSError:
        continue
    try:
        text = d.decode("utf-8", "replace")
    except Exception:
        continue
    lines = text.split("\r\n")
    method = lines[0].split(" ")[0]
    hdrs = [l for l in lines[1:] if l.split(":")[0].strip().lower() in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")]
    auth = any(l.lower().startswith(("authorization:", "proxy-authorization:")) for l in lines)
    if method == "OPTIONS":
        status, extra = "200 OK", ["Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REGISTER"]
    elif method in ("REGISTER", "INVITE") and not auth:
        nonce = os.urandom(16).hex()
        status, extra = "401 Unauthorized", [f'WWW-Authenticate: Digest algorithm=MD5, realm="voip.example", nonce="{nonce}"']
    elif method in ("REGISTER", "INVITE"):
        status, extra = "403 Forbidden", []
    else:
        continue
    resp = "\r\n".join([f"SIP/2.0 {status}", *hdrs, *extra, "Server: Asterisk PBX 16.28.0", "Content-Length: 0", "", ""])
    s.sendto(resp.encode(), src)
