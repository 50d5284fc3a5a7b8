#!/usr/bin/python3
"""Telnet-like login prompt for the behaviour benchmark's "fresh tools" attacks (gen-attacks.sh --only fresh).

Only ever bound to addresses inside the benchmark's private network namespaces. It speaks like a BusyBox
IoT telnetd (a few option negotiations, "login:", "Password:", "Login incorrect", 3 tries then close) and
never runs anything: the point is the password guessers' traffic, not a shell. No real telnetd is used
because one would authenticate against the host's own accounts.
Usage: victim-telnetd.py ADDR:PORT [ADDR:PORT ...]
"""

import socket
import sys
import threading
import time

IAC_NEGOTIATION = bytes([255, 251, 1, 255, 251, 3, 255, 253, 24, 255, 253, 31])


def read_line(conn):
    buf = b""
    while len(buf) < 256:
        c = conn.recv(1)
        if not c:
            return None
        if c == b"\xff":  # swallow the client's option replies (IAC, verb, option)
            conn.recv(2)
            continue
        if c in (b"\n", b"\r"):
            if buf:
                return buf
            continue
        buf += c
    return buf


def serve(conn):
    conn.settimeout(20)
    try:
        conn.sendall(IAC_NEGOTIATION)
        conn.sendall(b"\r\nIPC-HD login: ")
        for attempt in range(3):
            if attempt:
                conn.sendall(b"\r\nIPC-HD login: ")
            if read_line(conn) is None:
                return
            conn.sendall(b"Password: ")
            if read_line(conn) is None:
                return
            time.sleep(0.3)
            conn.sendall(b"\r\nLogin incorrect\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def listen(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def main():
    threads = []
    for spec in sys.argv[1:]:
        addr, port = spec.rsplit(":", 1)
        t = threading.Thread(target=listen, args=(addr, int(port)), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
