/**
 * An Ethernet capture (classic pcap, little-endian, µs) as the same IP packets on another link type: raw IP
 * (101), Linux cooked v1 (113: the frame's source MAC as its one link address, as `tcpdump -i any` records a
 * packet received) or v2 (276); non-IP frames dropped. `host` keeps only the packets to or from that IPv4
 * address (what `tcpdump host ADDR` keeps).
 */
export function relinked(ethernet: Buffer, linkType: 101 | 113 | 276, host?: string): Buffer {
  if (ethernet.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('a little-endian µs pcap');
  const header = Buffer.from(ethernet.subarray(0, 24));
  header.writeUInt32LE(linkType, 20);
  const want = host?.split('.').map(Number);
  const out: Buffer[] = [header];
  for (let at = 24; at + 16 <= ethernet.length; ) {
    const caplen = ethernet.readUInt32LE(at + 8);
    const origlen = ethernet.readUInt32LE(at + 12);
    const frame = ethernet.subarray(at + 16, at + 16 + caplen);
    const record = ethernet.subarray(at, at + 8);
    at += 16 + caplen;
    if (frame.length < 34) continue;
    const etherType = frame.readUInt16BE(12);
    if (etherType !== 0x0800 && etherType !== 0x86dd) continue;
    const ip = frame.subarray(14);
    if (want) {
      if (etherType !== 0x0800) continue;
      const is = (o: number) => want.every((b, k) => ip[o + k] === b);
      if (!is(12) && !is(16)) continue;
    }
    let link: Buffer;
    if (linkType === 101) link = Buffer.alloc(0);
    else if (linkType === 113) {
      link = Buffer.alloc(16);
      link.writeUInt16BE(0, 0);
      link.writeUInt16BE(1, 2);
      link.writeUInt16BE(6, 4);
      frame.copy(link, 6, 6, 12);
      link.writeUInt16BE(etherType, 14);
    } else {
      link = Buffer.alloc(20);
      link.writeUInt16BE(etherType, 0);
      link.writeUInt32BE(2, 4);
      link.writeUInt16BE(1, 8);
      link[10] = 0;
      link[11] = 6;
      frame.copy(link, 12, 6, 12);
    }
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32LE(link.length + ip.length, 0);
    lengths.writeUInt32LE(origlen - 14 + link.length, 4);
    out.push(record, lengths, link, ip);
  }
  return Buffer.concat(out);
}
