#!/usr/bin/env python3
"""Both ends of fresh9's `f9-irc-tls-bot` (bounded by a duration).

  irc-bot.py bot HOST PORT SECONDS      a bot: IRC over TLS (certificate not checked), NICK / USER / JOIN #b0t,
                                        answers the server's PINGs, answers each "!" command in the channel
                                        with a few lines of canned output, idles otherwise
  irc-bot.py herder HOST PORT SECONDS   the herder, plain IRC: joins, then a command every 8-15 s
"""
import random
import socket
import ssl
import sys
import time

OUT = {
    "!info": ["arch=mipsel kernel=3.10.14 up=3d4h", "mem=59MB free=11MB"],
    "!scan": ["scan started 23,2323 rate=200"],
    "!ps": ["1 init", "212 telnetd", "417 .x-mips -d", "501 watchdog"],
    "!get": ["GET ok 48213 bytes -> /tmp/.x2"],
    "!ver": ["v2.7-mips"],
}


def main():
    mode, host, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    rnd = random.Random(909)
    raw = socket.create_connection((host, port), timeout=10)
    if mode == "bot":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(raw, server_hostname=host)
        nick = "x86_" + "".join(rnd.choice("abcdef0123456789") for _ in range(5))  # ngircd: 9 characters at most
    else:
        sock, nick = raw, "h3rd"
    send = lambda line: sock.sendall((line + "\r\n").encode())  # noqa: E731
    send(f"NICK {nick}")
    send(f"USER {nick} 0 * :{nick}")
    end = time.time() + secs
    nxt = time.time() + 6
    cmds = ["!info", "!ver", "!ps", "!scan", "!get", "!info", "!ps", "!scan"]
    joined = False
    buf = b""
    while time.time() < end:
        sock.settimeout(0.5)
        try:
            data = sock.recv(4096)
            if not data:
                break
            buf += data
        except (socket.timeout, ssl.SSLWantReadError):
            pass
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            t = line.decode("utf-8", "replace")
            if t.startswith("PING"):
                send("PONG" + t[4:])
            parts = t.split(" ")
            if len(parts) > 1 and parts[1] in ("001", "376", "422") and not joined:
                send("JOIN #b0t k3y")
                joined = True
            if mode == "bot" and len(parts) > 3 and parts[1] == "PRIVMSG":
                cmd = parts[3].lstrip(":")
                for out in OUT.get(cmd, []):
                    send(f"PRIVMSG #b0t :{out}")
                    time.sleep(0.4)
        if mode == "herder" and joined and cmds and time.time() >= nxt:
            send(f"PRIVMSG #b0t :{cmds.pop(0)}")
            nxt = time.time() + rnd.uniform(8, 15)
    try:
        send("QUIT :bye")
    except OSError:
        pass
    sock.close()


main()
