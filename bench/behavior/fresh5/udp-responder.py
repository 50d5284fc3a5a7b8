#!/usr/bin/python3
"""The device's side of two f5 reflector ids (runs in the device's namespace until killed): argv = KIND BIND_IP.
ssdp: a UPnP SSDP responder on udp/1900 answering each M-SEARCH with the 4 search responses of a camera/IGD
(rootdevice, its uuid, its device type, a service type); monlist: a legacy ntpd's mode-7 MON_GETLIST_1 answer
on udp/123, 8 response packets of 6 recent-client entries (440 bytes of data each), as amplifying ntpd did."""
import random, socket, struct, sys
kind, ip = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
uuid = "5f9ec1b3-ed59-79bb-4530-745f6c3a1e22"
if kind == "ssdp":
    s.bind(("0.0.0.0", 1900))
    sts = ["upnp:rootdevice", f"uuid:{uuid}", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
           "urn:schemas-upnp-org:service:WANIPConnection:1"]
    while True:
        data, peer = s.recvfrom(2048)
        if not data.startswith(b"M-SEARCH"):
            continue
        for st in sts:
            usn = f"uuid:{uuid}" + ("" if st.startswith("uuid:") else f"::{st}")
            r = (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Sat, 06 Dec 2026 10:00:00 GMT\r\nEXT:\r\n"
                 f"LOCATION: http://{ip}:49152/rootDesc.xml\r\nSERVER: Linux/3.10 UPnP/1.0 IpCam/2.1\r\nST: {st}\r\n"
                 f"USN: {usn}\r\nBOOTID.UPNP.ORG: 1\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n")
            s.sendto(r.encode(), peer)
else:
    s.bind((ip, 123))
    while True:
        data, peer = s.recvfrom(2048)
        if len(data) < 4 or data[0] & 7 != 7 or data[3] != 42:
            continue
        for k in range(8):
            entries = b""
            for _ in range(6):
                a = struct.pack(">I", random.randint(0x0b000000, 0xdf000000))
                entries += struct.pack(">II", random.randint(1, 9000), random.randint(1, 9000)) + bytes(4) + \
                    struct.pack(">I", random.randint(1, 500)) + a + socket.inet_aton(ip) + bytes(4) + \
                    struct.pack(">BBH", 3, 4, 123) + bytes(4) + bytes(32)
            more = 0x40 if k < 7 else 0
            hdr = bytes([0x80 | more | 0x17, k, 0x03, 0x2a]) + struct.pack(">HH", 6, 72)
            s.sendto(hdr + entries, peer)
