/** The packet of a little-endian pcapng Enhanced Packet Block as a Simple Packet Block (no interface, no timestamp). */
export function spbOf(epb: Buffer): Buffer {
  const caplen = epb.readUInt32LE(20);
  const spb = Buffer.alloc(16 + ((caplen + 3) & ~3));
  spb.writeUInt32LE(3, 0);
  spb.writeUInt32LE(spb.length, 4);
  spb.writeUInt32LE(caplen, 8);
  epb.copy(spb, 12, 28, 28 + caplen);
  spb.writeUInt32LE(spb.length, spb.length - 4);
  return spb;
}
