#!/usr/bin/python3
"""A minimal SIP responder for the f3 lab (svmap / svwar target): OPTIONS -> 200, REGISTER -> 404 for
unknown extensions, 401 for 100-109 and 200-205 (what svwar reads as "extension exists"). Bound to one lab address."""
import re
import socket
import sys

addr = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 5060))
while True:
    data, peer = s.recvfrom(65535)
    msg = data.decode(errors="replace")
    first = msg.split("\r\n", 1)[0]
    method = first.split(" ", 1)[0]
    hdr = {}
    for line in msg.split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hdr.setdefault(k.strip().lower(), v.strip())
    code, reason, extra = "200", "OK", ""
    if method == "REGISTER" or method == "INVITE":
        m = re.search(r"sip:(\w+)@", hdr.get("to", ""))
        ext = m.group(1) if m else ""
        if ext.isdigit() and (100 <= int(ext) <= 109 or 200 <= int(ext) <= 205):
            code, reason = "401", "Unauthorized"
            extra = 'WWW-Authenticate: Digest realm="asterisk", nonce="5f2a9c1b"\r\n'
        else:
            code, reason = "404", "Not Found"
    elif method == "ACK":
        continue
    resp = (
        f"SIP/2.0 {code} {reason}\r\n"
        f"Via: {hdr.get('via', '')}\r\nFrom: {hdr.get('from', '')}\r\nTo: {hdr.get('to', '')};tag=as1f2e\r\n"
        f"Call-ID: {hdr.get('call-id', '')}\r\nCSeq: {hdr.get('cseq', '')}\r\n"
        f"Server: Asterisk PBX 16.28.0\r\nAllow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY\r\n"
        f"{extra}Content-Length: 0\r\n\r\n"
    )
    s.sendto(resp.encode(), peer)
