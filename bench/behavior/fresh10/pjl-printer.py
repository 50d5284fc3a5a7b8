#!/usr/bin/python3
"""A network printer's raw port (9100, PJL) for f10's printer abuse (gen-fresh10.sh): answers @PJL INFO ID /
STATUS / FILESYS, FSDIRLIST and FSUPLOAD the way an HP LaserJet does, swallows everything else (a print job) and
closes a connection idle for 3 s. Bound to an address inside the lab's namespaces only; stops after SECONDS.
Usage: pjl-printer.py BIND_ADDR PORT SECONDS
"""

import socket
import socketserver
import sys
import threading

UEL = b"\x1b%-12345X"
ANSWERS = [
    (b"@PJL INFO ID", b'@PJL INFO ID\r\n"HP LaserJet 4250"\r\n\x0c'),
    (b"@PJL INFO STATUS", b"@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY=\"Ready\"\r\nONLINE=TRUE\r\n\x0c"),
    (b"@PJL INFO FILESYS", b"@PJL INFO FILESYS\r\n[ 1 TABLE]\r\n\tVOLUME TOTAL SIZE FREE SPACE LOCATION LABEL STATUS\r\n"
     b"\t0:\t3145728\t2871296\tRAM\t?\tREAD-WRITE\r\n\x0c"),
    (b"@PJL FSDIRLIST", b'@PJL FSDIRLIST NAME="0:/"\r\n. TYPE=DIR\r\n.. TYPE=DIR\r\nPJL TYPE=DIR\r\n'
     b"PostScript TYPE=DIR\r\nwebServer TYPE=DIR\r\nsaveDevice TYPE=DIR\r\n\x0c"),
    (b"@PJL FSUPLOAD", b'@PJL FSUPLOAD FORMAT:BINARY NAME="0:/webServer/config/device.cfg" OFFSET=0 SIZE=1536\r\n'
     + b"ADMIN_PASSWORD=\r\nSNMP_SET_COMMUNITY=internal\r\nSMTP_RELAY=10.66.0.20\r\n" * 24 + b"\x0c"),
]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(3)
        buf = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    return
                buf += c
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    line = line.replace(UEL, b"").strip()
                    for key, ans in ANSWERS:
                        if line.upper().startswith(key):
                            s.sendall(ans)
                            break
                buf = buf[-4096:]
        except (OSError, socket.timeout):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


srv = Server((sys.argv[1], int(sys.argv[2])), Handler)
threading.Timer(float(sys.argv[3]), srv.shutdown).start()
srv.serve_forever()
