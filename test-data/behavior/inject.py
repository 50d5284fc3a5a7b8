#!/usr/bin/env python3
"""Rewrites a normal IoT Sentinel capture into an "attacked" one: packets the device would send and receive
during an attack are appended inside the capture's own time span, from the device's own MAC and IP.

Headers only are meaningful (payload bytes are zeros). Standard library only; classic pcap, Ethernet.

  python3 inject.py IN.pcap OUT.pcap --attack scan|dnstunnel|arpsweep|smbread [--seed N]

scan:      a SYN sweep of 40 LAN peers on SMB/RDP/SSH/Telnet ports (445, 3389, 22, 23); most are
           unanswered, some answer RST, a few SYN-ACK (then the device resets).
dnstunnel: 240 DNS queries of 120-200 bytes to the device's DNS server (2 per second) with 200-byte answers.
arpsweep:  ARP requests for 60 addresses of the device's /24, one a second (as `arping` in a loop does); a
           third of them answer.
smbread:   the device reads a file from a LAN server over SMB (tcp/445): the server sends 90 full segments,
           the device acknowledges every second one (the server then sends more than the device does).
wrongrole: the device of --other CAPTURE (another type) replayed as this device (its MAC and IPv4 rewritten).
"""
import argparse
import random
import struct


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic != 0xA1B2C3D4:
        raise SystemExit(f'{path}: only little-endian microsecond pcap is supported')
    header = data[:24]
    linktype = struct.unpack('<I', data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f'{path}: Ethernet only')
    packets = []
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        packets.append((sec + usec / 1e6, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return header, packets


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack(f'!{len(b) // 2}H', b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64):
    total = 20 + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 0, 0x4000, ttl, proto, 0, src, dst)
    h = h[:10] + struct.pack('!H', checksum(h)) + h[12:]
    return h + payload


def tcp(sport, dport, flags, seq=0, ack=0):
    return struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)


def udp(sport, dport, size):
    return struct.pack('!HHHH', sport, dport, 8 + size, 0) + bytes(size)


def frame(dst_mac, src_mac, ip_packet):
    return dst_mac + src_mac + b'\x08\x00' + ip_packet


def arp(dst_mac, src_mac, op, sender_mac, sender_ip, target_mac, target_ip):
    body = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, op, sender_mac, sender_ip, target_mac, target_ip)
    return dst_mac + src_mac + b'\x08\x06' + body + bytes(18)


def device_of(packets):
    """The MAC and IPv4 address that sent the most IPv4 packets from a private address."""
    counts = {}
    for _, b, _ in packets:
        if len(b) < 34 or b[12:14] != b'\x08\x00':
            continue
        src_ip = b[26:30]
        if src_ip[0] in (10, 192, 172) and not b[6] & 1:
            key = (b[6:12], src_ip)
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get)


def gateway_of(packets, mac, ip):
    """The MAC the device sends most of its IPv4 to, and a DNS server it uses (if any)."""
    macs = {}
    dns = None
    for _, b, _ in packets:
        if len(b) >= 34 and b[6:12] == mac and b[12:14] == b'\x08\x00':
            macs[b[0:6]] = macs.get(b[0:6], 0) + 1
            if b[23] == 17 and len(b) >= 38 and struct.unpack('!H', b[36:38])[0] == 53:
                dns = b[30:34]
    gw = max(macs, key=macs.get)
    return gw, dns or bytes([ip[0], ip[1], ip[2], 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('input')
    ap.add_argument('output')
    ap.add_argument('--attack', choices=['scan', 'dnstunnel', 'arpsweep', 'smbread', 'wrongrole'], required=True)
    ap.add_argument('--other', help='wrongrole: a capture of another device type, replayed as this device')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--at', type=float, default=0.3,
                    help='where the injected traffic starts, as a fraction of the capture (beyond 1: after its end)')
    a = ap.parse_args()
    rng = random.Random(a.seed)
    header, packets = read_pcap(a.input)
    mac, ip = device_of(packets)
    gw_mac, dns_ip = gateway_of(packets, mac, ip)
    t0 = packets[0][0]
    t1 = packets[-1][0]
    start = t0 + (t1 - t0) * a.at
    new = []
    if a.attack == 'scan':
        t = start
        for host in range(40):
            peer = bytes([ip[0], ip[1], ip[2], (ip[3] + 17 + host * 3) % 250 + 2])
            peer_mac = bytes([0x02, 0, 0, 0, 0, peer[3]])
            for port in (445, 3389, 22, 23):
                sport = rng.randint(40000, 60000)
                new.append((t, frame(peer_mac, mac, ipv4(ip, peer, 6, tcp(sport, port, 0x02, rng.getrandbits(32))))))
                r = rng.random()
                if r < 0.15:
                    new.append((t + 0.001, frame(mac, peer_mac, ipv4(peer, ip, 6, tcp(port, sport, 0x12)))))
                    new.append((t + 0.0012, frame(peer_mac, mac, ipv4(ip, peer, 6, tcp(sport, port, 0x04)))))
                elif r < 0.4:
                    new.append((t + 0.001, frame(mac, peer_mac, ipv4(peer, ip, 6, tcp(port, sport, 0x14)))))
                t += 0.01
    elif a.attack == 'arpsweep':
        t = start
        for host in range(60):
            peer = bytes([ip[0], ip[1], ip[2], (ip[3] + 17 + host) % 250 + 2])
            peer_mac = bytes([0x02, 0, 0, 0, 0, peer[3]])
            new.append((t, arp(b'\xff' * 6, mac, 1, mac, ip, bytes(6), peer)))
            if rng.random() < 1 / 3:
                new.append((t + 0.002, arp(mac, peer_mac, 2, peer_mac, peer, mac, ip)))
            t += 1 + rng.uniform(-0.1, 0.1)
    elif a.attack == 'smbread':
        peer = bytes([ip[0], ip[1], ip[2], (ip[3] + 40) % 250 + 2])
        peer_mac = bytes([0x02, 0, 0, 0, 0, peer[3]])
        sport = rng.randint(40000, 60000)
        t = start
        new.append((t, frame(peer_mac, mac, ipv4(ip, peer, 6, tcp(sport, 445, 0x02)))))
        new.append((t + 0.001, frame(mac, peer_mac, ipv4(peer, ip, 6, tcp(445, sport, 0x12)))))
        new.append((t + 0.002, frame(peer_mac, mac, ipv4(ip, peer, 6, tcp(sport, 445, 0x10)))))
        t += 0.003
        for k in range(90):
            new.append((t, frame(mac, peer_mac, ipv4(peer, ip, 6, tcp(445, sport, 0x10) + bytes(1400)))))
            if k % 2:
                new.append((t + 0.0005, frame(peer_mac, mac, ipv4(ip, peer, 6, tcp(sport, 445, 0x10)))))
            t += 0.001
    elif a.attack == 'wrongrole':
        if not a.other:
            raise SystemExit('--attack wrongrole needs --other CAPTURE')
        _, other = read_pcap(a.other)
        omac, oip = device_of(other)
        shift = start - other[0][0]
        def swap(b, old, new):
            return b.replace(old, new)
        for ts, b, _ in other:
            b2 = b[:12].replace(omac, mac) + b[12:]
            if b[12:14] == b'\x08\x00' and len(b) >= 34:
                src, dst = b2[26:30], b2[30:34]
                src = ip if src == oip else src
                dst = ip if dst == oip else dst
                hdr = b2[14:26] + src + dst
                hdr = hdr[:10] + b'\0\0' + hdr[12:]
                hdr = hdr[:10] + struct.pack('!H', checksum(hdr)) + hdr[12:]
                b2 = b2[:14] + hdr + b2[34:]
            new.append((ts + shift, b2))
    else:
        t = start
        for _ in range(240):
            sport = rng.randint(40000, 60000)
            q = rng.randint(120, 200)
            new.append((t, frame(gw_mac, mac, ipv4(ip, dns_ip, 17, udp(sport, 53, q)))))
            new.append((t + 0.02, frame(mac, gw_mac, ipv4(dns_ip, ip, 17, udp(53, sport, 200)))))
            t += 0.5
    merged = sorted([(ts, b, o) for ts, b, o in packets] + [(ts, b, len(b)) for ts, b in new], key=lambda x: x[0])
    with open(a.output, 'wb') as f:
        f.write(header)
        for ts, b, orig in merged:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack('<IIII', sec, usec, len(b), orig))
            f.write(b)


if __name__ == '__main__':
    main()
