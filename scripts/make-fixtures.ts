/**
 * Writes the hand-made edge-case captures in test-data/captures/edge/ (committed; rerun to regenerate):
 *   npx tsx scripts/make-fixtures.ts
 * Packets are synthetic but well-formed (checksums zero: tshark does not verify them by default), or
 * real packets from test-data/captures/real re-encoded in another byte order / time unit / container.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-data/captures/edge');
const realDir = join(root, 'test-data/captures/real');

// ---------- byte helpers ----------
const bytes = (...parts: (number[] | Uint8Array | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const mac = (last: number): number[] => [0x02, 0x00, 0x00, 0x00, 0x00, last];
const ip4 = (...o: number[]): number[] => o;
const ip6 = (last: number): number[] => [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), last];

// ---------- layers ----------
function tcp(sport: number, dport: number, flags: number, payload = 0, options = 0): Buffer {
  const doff = 5 + options;
  return bytes(
    u16(sport),
    u16(dport),
    u32(1000),
    u32(2000),
    [(doff << 4) | ((flags >> 8) & 1), flags & 0xff],
    u16(65535),
    u16(0),
    u16(0),
    new Array<number>(options * 4).fill(1),
    new Array<number>(payload).fill(0x61),
  );
}
function udp(sport: number, dport: number, payload = 0): Buffer {
  return bytes(u16(sport), u16(dport), u16(8 + payload), u16(0), new Array<number>(payload).fill(0x62));
}
function icmp(type: number, code: number): Buffer {
  return bytes([type, code], u16(0), u32(0x00010001));
}
function ipv4(
  proto: number,
  src: number[],
  dst: number[],
  payload: Buffer,
  opts: { ttl?: number; options?: number; mf?: boolean; fragOffset8?: number; totalLength?: number } = {},
): Buffer {
  const ihl = 5 + (opts.options ?? 0);
  const total = opts.totalLength ?? ihl * 4 + payload.length;
  const frag = (opts.mf ? 0x2000 : 0) | (opts.fragOffset8 ?? 0);
  return bytes(
    [0x40 | ihl, 0],
    u16(total),
    u16(0x1234),
    u16(frag),
    [opts.ttl ?? 64, proto],
    u16(0),
    src,
    dst,
    new Array<number>((opts.options ?? 0) * 4).fill(1), // NOPs
    payload,
  );
}
/** `chain`: extension headers as [type, body] in order; the last element's payload follows. */
function ipv6(nh0: number, src: number[], dst: number[], rest: Buffer, hlim = 64): Buffer {
  return bytes([0x60, 0, 0, 0], u16(rest.length), [nh0, hlim], src, dst, rest);
}
function ext8(next: number): Buffer {
  // Hop-by-hop / destination options / routing header of 8 bytes (PadN option or type-0 routing).
  return bytes([next, 0, 1, 4, 0, 0, 0, 0]);
}
function routing(next: number): Buffer {
  return bytes([next, 2, 0, 1, 0, 0, 0, 0], ip6(9));
}
function frag6(next: number, offset8: number, more: boolean): Buffer {
  return bytes([next, 0], u16((offset8 << 3) | (more ? 1 : 0)), u32(0xabcdef));
}
function ah(next: number): Buffer {
  // Payload length 4 → (4 + 2) * 4 = 24 bytes.
  return bytes([next, 4, 0, 0], u32(0x100), u32(1), new Array<number>(12).fill(0));
}
function eth(et: number, payload: Buffer, vlans: [number, number][] = [], s = 1, d = 2): Buffer {
  const tags = vlans.map(([tpid, id]) => bytes(u16(tpid), u16(id)));
  return bytes(mac(d), mac(s), ...tags, u16(et), payload);
}
function arp(op: number): Buffer {
  return bytes(u16(1), u16(0x0800), [6, 4], u16(op), mac(1), ip4(10, 0, 0, 1), mac(0), ip4(10, 0, 0, 2));
}
function sll(proto: number, payload: Buffer): Buffer {
  return bytes(u16(0), u16(1), u16(6), mac(7), [0, 0], u16(proto), payload);
}
function sll2(proto: number, payload: Buffer): Buffer {
  return bytes(u16(proto), u16(0), u32(3), u16(1), [4, 6], mac(8), [0, 0], payload);
}
function nullHdr(af: number, le: boolean, payload: Buffer): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(af);
  else b.writeUInt32BE(af);
  return bytes(b, payload);
}

// ---------- containers ----------
interface Pkt {
  sec: number;
  frac: number; // µs or ns depending on the writer
  data: Buffer;
  orig?: number;
}
function pcap(
  pkts: Pkt[],
  o: { le?: boolean; ns?: boolean; linkType?: number; snaplen?: number } = {},
): Buffer {
  const le = o.le ?? true;
  const w32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  const w16 = (v: number): Buffer => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const parts: Buffer[] = [
    w32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4),
    w16(2),
    w16(4),
    w32(0),
    w32(0),
    w32(o.snaplen ?? 262144),
    w32(o.linkType ?? 1),
  ];
  for (const p of pkts) {
    parts.push(w32(p.sec), w32(p.frac), w32(p.data.length), w32(p.orig ?? p.data.length), p.data);
  }
  return Buffer.concat(parts);
}

/** pcapng writer: one Section per call, LE or BE. */
class Ng {
  private readonly parts: Buffer[] = [];
  constructor(private readonly le: boolean) {}
  private w32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  }
  private w16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }
  private pad(b: Buffer): Buffer {
    return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  }
  block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    this.parts.push(this.w32(type), this.w32(len), body, this.w32(len));
    return this;
  }
  option(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.w16(code), this.w16(value.length), this.pad(value)]);
  }
  shb(): this {
    return this.block(
      0x0a0d0d0a,
      Buffer.concat([this.w32(0x1a2b3c4d), this.w16(1), this.w16(0), Buffer.alloc(8, 0xff)]),
    );
  }
  idb(linkType: number, o: { tsresol?: number; tsoffset?: bigint; snaplen?: number } = {}): this {
    const opts: Buffer[] = [];
    if (o.tsresol !== undefined) opts.push(this.option(9, Buffer.from([o.tsresol])));
    if (o.tsoffset !== undefined) {
      const b = Buffer.alloc(8);
      if (this.le) b.writeBigInt64LE(o.tsoffset);
      else b.writeBigInt64BE(o.tsoffset);
      opts.push(this.option(14, b));
    }
    if (opts.length > 0) opts.push(this.option(0, Buffer.alloc(0)));
    return this.block(1, Buffer.concat([this.w16(linkType), this.w16(0), this.w32(o.snaplen ?? 0), ...opts]));
  }
  private ts(ts: bigint): Buffer {
    return Buffer.concat([this.w32(Number(ts >> 32n)), this.w32(Number(ts & 0xffffffffn))]);
  }
  epb(ifId: number, ts: bigint, data: Buffer, orig = data.length): this {
    return this.block(
      6,
      Buffer.concat([this.w32(ifId), this.ts(ts), this.w32(data.length), this.w32(orig), this.pad(data)]),
    );
  }
  opb(ifId: number, ts: bigint, data: Buffer): this {
    return this.block(
      2,
      Buffer.concat([
        this.w16(ifId),
        this.w16(0),
        this.ts(ts),
        this.w32(data.length),
        this.w32(data.length),
        this.pad(data),
      ]),
    );
  }
  /** The block holds min(original length, snap length) bytes of the packet. */
  spb(data: Buffer, snaplen = 0): this {
    const kept = snaplen > 0 && snaplen < data.length ? data.subarray(0, snaplen) : data;
    return this.block(3, Buffer.concat([this.w32(data.length), this.pad(kept)]));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// ---------- real packets ----------
function realPackets(file: string, limit = Number.POSITIVE_INFINITY): Pkt[] {
  const b = readFileSync(join(realDir, file));
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: expected a little-endian µs pcap`);
  const out: Pkt[] = [];
  for (let p = 24; p + 16 <= b.length && out.length < limit; ) {
    const caplen = b.readUInt32LE(p + 8);
    out.push({
      sec: b.readUInt32LE(p),
      frac: b.readUInt32LE(p + 4),
      orig: b.readUInt32LE(p + 12),
      data: b.subarray(p + 16, p + 16 + caplen),
    });
    p += 16 + caplen;
  }
  return out;
}

// ---------- the fixtures ----------
const T0 = 1_700_000_000;
const A = ip4(192, 168, 1, 10);
const B = ip4(10, 0, 0, 1);
const S6 = ip6(1);
const D6 = ip6(2);

/** A mixed bag of frames on Ethernet (each exercising one decoder path). */
function ethernetZoo(): Buffer[] {
  return [
    eth(0x0800, ipv4(6, A, B, tcp(40000, 443, 0x002, 0, 2))),
    eth(0x0800, ipv4(6, A, B, tcp(40000, 443, 0x118, 100)), [[0x8100, 100]]),
    eth(0x0800, ipv4(17, A, B, udp(5353, 53, 20)), [
      [0x88a8, 200],
      [0x8100, 300],
    ]),
    eth(0x86dd, ipv6(17, S6, D6, udp(546, 547, 10)), [
      [0x88a8, 1],
      [0x8100, 2],
      [0x8100, 3],
    ]),
    eth(0x0806, arp(1)),
    eth(0x0806, arp(2), [[0x8100, 7]]),
    eth(0x0800, ipv4(1, A, B, icmp(8, 0), { ttl: 1 })),
    eth(0x0800, ipv4(6, A, B, tcp(1234, 80, 0x012, 0), { options: 3 })),
    eth(0x0800, ipv4(17, A, B, udp(9999, 7777, 1000).subarray(0, 200), { mf: true, totalLength: 20 + 200 })),
    eth(0x0800, ipv4(17, A, B, Buffer.alloc(100, 0x63), { fragOffset8: 25 })),
    eth(0x86dd, ipv6(0, S6, D6, bytes(ext8(58), icmp(143, 0)), 1)),
    eth(0x86dd, ipv6(0, S6, D6, bytes(ext8(43), routing(60), ext8(6), tcp(5000, 22, 0x010, 12)))),
    eth(0x86dd, ipv6(44, S6, D6, bytes(frag6(17, 0, true), udp(4000, 4001, 64)))),
    eth(0x86dd, ipv6(44, S6, D6, bytes(frag6(17, 9, false), Buffer.alloc(40, 0x64)))),
    eth(0x86dd, ipv6(51, S6, D6, bytes(ah(17), udp(500, 500, 16)))),
    eth(0x86dd, ipv6(58, S6, D6, icmp(128, 0))),
    eth(0x88cc, Buffer.alloc(40, 0)), // LLDP: neither IP nor ARP
    eth(0x0800, ipv4(6, A, B, tcp(1, 2, 0x1ff, 5))), // every flag, NS included
  ];
}

function write(name: string, data: Buffer): void {
  writeFileSync(join(outDir, name), data);
  console.log(`${name}: ${data.length} bytes`);
}

function main(): void {
  mkdirSync(outDir, { recursive: true });
  const zoo = ethernetZoo();
  const zooPkts = (ns: boolean): Pkt[] =>
    zoo.map((data, i) => ({ sec: T0 + i, frac: ns ? 123_456_789 + i : 123_456 + i, data }));

  // pcap in each byte order and time unit.
  write('zoo-le-us.pcap', pcap(zooPkts(false)));
  write('zoo-be-us.pcap', pcap(zooPkts(false), { le: false }));
  write('zoo-le-ns.pcap', pcap(zooPkts(true), { ns: true }));
  write('zoo-be-ns.pcap', pcap(zooPkts(true), { le: false, ns: true }));
  // Real packets, big-endian and nanosecond.
  const kettle = realPackets('iKettle2-A1-Mon0000-n00.pcap');
  write('real-be-us.pcap', pcap(kettle, { le: false }));
  write(
    'real-le-ns.pcap',
    pcap(
      kettle.map((p) => ({ ...p, frac: p.frac * 1000 + 789 })),
      { ns: true },
    ),
  );

  // Other link types.
  const v4 = ipv4(6, A, B, tcp(40001, 8080, 0x018, 33));
  const v6 = ipv6(17, S6, D6, udp(1111, 2222, 5));
  const one = (frames: Buffer[]): Pkt[] => frames.map((data, i) => ({ sec: T0 + i, frac: i, data }));
  write('sll.pcap', pcap(one([sll(0x0800, v4), sll(0x86dd, v6), sll(0x0806, arp(1))]), { linkType: 113 }));
  write(
    'sll2.pcap',
    pcap(one([sll2(0x0800, v4), sll2(0x86dd, v6), sll2(0x8100, bytes(u16(42), u16(0x0800), v4))]), {
      linkType: 276,
    }),
  );
  write(
    'null-le.pcap',
    pcap(one([nullHdr(2, true, v4), nullHdr(30, true, v6), nullHdr(24, true, v6), nullHdr(28, true, v6)]), {
      linkType: 0,
    }),
  );
  write('null-be.pcap', pcap(one([nullHdr(2, false, v4), nullHdr(30, false, v6)]), { linkType: 0 }));
  write('loop.pcap', pcap(one([nullHdr(2, false, v4), nullHdr(24, false, v6)]), { linkType: 108 }));
  write('raw101.pcap', pcap(one([v4, v6]), { linkType: 101 }));
  write('raw228.pcap', pcap(one([v4]), { linkType: 228 }));
  write('raw229.pcap', pcap(one([v6]), { linkType: 229 }));
  write(
    'unsupported-link.pcap',
    pcap(one([Buffer.alloc(30, 0x80), Buffer.alloc(30, 0x80)]), { linkType: 105 }),
  );

  // Snap length: frames cut inside headers, and a captured length above the snap length.
  const cut = (b: Buffer, n: number): Pkt => ({ sec: T0, frac: n, data: b.subarray(0, n), orig: b.length });
  const long6 = eth(0x86dd, ipv6(0, S6, D6, bytes(ext8(43), routing(6), tcp(5000, 22, 0x010, 12))));
  write(
    'snaplen-cut.pcap',
    pcap(
      [
        cut(zoo[0]!, 10),
        cut(zoo[0]!, 13),
        cut(zoo[0]!, 36),
        cut(zoo[7]!, 48),
        cut(zoo[1]!, 40),
        cut(long6, 60),
        cut(long6, 70),
        cut(zoo[4]!, 20),
      ],
      { snaplen: 96 },
    ),
  );
  write('caplen-over-snaplen.pcap', pcap(one([zoo[1]!, zoo[2]!]), { snaplen: 64 }));
  // Header-only captures (-s 64, -s 68): the transport header cut after k bytes. tshark shows the ports
  // from 4 bytes on, the rest of a TCP header only when it is (nearly) whole.
  const transports: [Buffer, number][] = [
    [eth(0x86dd, ipv6(6, S6, D6, tcp(40000, 443, 0x012, 100, 5))), 54],
    [eth(0x0800, ipv4(6, A, B, tcp(40001, 443, 0x012, 100, 5))), 34],
    [eth(0x86dd, ipv6(17, S6, D6, udp(5353, 53, 30))), 54],
    [eth(0x0800, ipv4(17, A, B, udp(5354, 53, 30))), 34],
  ];
  const cuts: Pkt[] = [];
  for (const [frame, transportAt] of transports) {
    for (const k of [2, 3, 4, 7, 8, 12, 14, 20, 24]) {
      cuts.push({
        sec: T0 + cuts.length,
        frac: k,
        data: frame.subarray(0, transportAt + k),
        orig: frame.length,
      });
    }
  }
  write('snaplen-transport.pcap', pcap(cuts, { snaplen: 64 }));
  // IP lengths that disagree with the frame, and IPsec AH over IPv4 (transport found behind it, as for IPv6).
  const frameOf = (ip: Buffer): Buffer => eth(0x0800, ip);
  write(
    'ip-lengths.pcap',
    pcap(
      one([
        frameOf(ipv4(51, A, B, bytes(ah(6), tcp(1000, 22, 0x018, 5)))),
        frameOf(ipv4(51, A, B, bytes(ah(17), udp(500, 4500, 7)))),
        frameOf(ipv4(6, A, B, tcp(1234, 80, 0x018, 100), { totalLength: 1500 })),
        frameOf(ipv4(17, A, B, udp(1234, 53, 20), { totalLength: 9000 })),
        eth(0x86dd, bytes([0x60, 0, 0, 0], u16(1400), [6, 64], S6, D6, tcp(5000, 22, 0x010, 12))),
      ]).concat(
        // A record claiming a wire length below its captured length (0 from some writers): the captured
        // bytes are the frame.
        [0, 60].map((orig, i) => ({ sec: T0 + 5 + i, frac: 0, data: zoo[1]!, orig })),
      ),
    ),
  );
  // TCP segmentation offload: the sender's capture shows IPv4 total length 0 for its large segments.
  write('ipv4-tso.pcap', pcap(one([frameOf(ipv4(6, A, B, tcp(1234, 80, 0x018, 2000), { totalLength: 0 }))])));

  // pcapng: several sections (BE then LE), interfaces of different link types and time resolutions,
  // EPB, SPB, OPB, and blocks the reader must skip.
  const s1 = new Ng(false)
    .shb()
    .idb(1, { tsresol: 9 })
    .idb(228)
    .idb(276, { tsresol: 0x80 | 20 })
    .block(4, Buffer.from([0, 0, 0, 0])) // name resolution block, empty
    .epb(0, BigInt(T0) * 1_000_000_000n + 123_456_789n, zoo[0]!)
    .epb(1, BigInt(T0 + 1) * 1_000_000n + 654_321n, v4)
    .epb(2, (BigInt(T0 + 2) << 20n) + 123457n, sll2(0x86dd, v6))
    .block(0x0bad0bad, Buffer.alloc(16, 0xee)) // unknown block type
    .opb(0, BigInt(T0 + 3) * 1_000_000_000n + 1n, zoo[3]!)
    .block(5, Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.alloc(8)])); // interface statistics
  const s2 = new Ng(true)
    .shb()
    .idb(0, { tsoffset: 1_000_000_000n })
    .idb(113, { tsresol: 3 })
    .epb(0, BigInt(T0 - 1_000_000_000 + 4) * 1_000_000n + 5n, nullHdr(2, true, v4))
    .epb(1, BigInt(T0 + 5) * 1000n + 999n, sll(0x0800, v4))
    .epb(1, BigInt(T0 + 6) * 1000n, sll(0x86dd, v6));
  const ngMulti = Buffer.concat([s1.bytes(), s2.bytes()]);
  write('multi-section.pcapng', ngMulti);
  // Resolutions finer than 2^-32 s need more than a double's 53 bits: 2^-32 (ERF-style fixed point),
  // 10^-10, and 2^-29 (whose nanoseconds overflow a double's exact range).
  const fine = new Ng(true)
    .shb()
    .idb(228, { tsresol: 0x80 | 32 })
    .idb(228, { tsresol: 10 })
    .idb(228, { tsresol: 0x80 | 29 });
  const fineUnits = [1n << 32n, 10_000_000_000n, 1n << 29n];
  fineUnits.forEach((units, ifId) => {
    for (const frac of [0n, 1n, units - 1n, units / 3n, (units * 2n) / 7n, units / 2n - 1n]) {
      fine.epb(ifId, BigInt(T0) * units + frac, v4);
    }
  });
  write('tsresol-fine.pcapng', fine.bytes());
  write(
    'spb.pcapng',
    new Ng(true).shb().idb(1, { snaplen: 60 }).spb(zoo[0]!, 60).spb(zoo[6]!, 60).spb(zoo[4]!, 60).bytes(),
  );
  // All of a real capture as LE and BE pcapng.
  const ngReal = (le: boolean): Buffer => {
    const ng = new Ng(le).shb().idb(1);
    for (const p of kettle) ng.epb(0, BigInt(p.sec) * 1_000_000n + BigInt(p.frac), p.data, p.orig);
    return ng.bytes();
  };
  write('real-le.pcapng', ngReal(true));
  write('real-be.pcapng', ngReal(false));

  // Truncated and corrupt.
  const zooLe = pcap(zooPkts(false));
  write('truncated-record.pcap', zooLe.subarray(0, zooLe.length - 7));
  write('truncated-header.pcap', zooLe.subarray(0, 24 + 16 + zoo[0]!.length + 9));
  write('truncated-block.pcapng', ngMulti.subarray(0, ngMulti.length - 20));
  const absurd = Buffer.from(zooLe);
  absurd.writeUInt32LE(0x7fffffff, 24 + 16 + zoo[0]!.length + 8);
  write('absurd-caplen.pcap', absurd);
  const mismatch = Buffer.from(ngMulti);
  const shbLen = mismatch.readUInt32BE(4);
  const idbLen = mismatch.readUInt32BE(shbLen + 4);
  mismatch.writeUInt32BE(idbLen + 4, shbLen + idbLen - 4); // trailing length of the first IDB
  write('block-length-mismatch.pcapng', mismatch);
  const odd = Buffer.from(ngMulti);
  odd.writeUInt32BE(odd.readUInt32BE(shbLen + 4) + 2, shbLen + 4);
  write('block-length-odd.pcapng', odd);
  write('not-a-capture.txt', Buffer.from('hello, this is not a capture file\n'));
  write('empty.pcap', Buffer.alloc(0));

  // gzip: whole, truncated, corrupt.
  const gz = gzipSync(pcap(zooPkts(false)), { level: 9 });
  write('zoo.pcap.gz', gz);
  write('real-be.pcapng.gz', gzipSync(ngReal(false)));
  write('truncated.pcap.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
  const bad = Buffer.from(gz);
  for (let i = 20; i < 40; i++) bad[i] = bad[i]! ^ 0x5a;
  write('corrupt.pcap.gz', bad);
}

main();
