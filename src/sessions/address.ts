/**
 * Address text and "private" classification, matching what the original saw: tshark's text form
 * (dotted quad; RFC 5952 IPv6) and Python 3.11's `ipaddress.is_private` (REFERENCE.md §3).
 */

export function ipv4Text(addr: Uint8Array): string {
  return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest (first on ties) run of ≥ 2 zero groups as "::". */
export function ipv6Text(addr: Uint8Array): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (addr[2 * i]! << 8) | addr[2 * i + 1]!;
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad, as tshark prints them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${addr[12]}.${addr[13]}.${addr[14]}.${addr[15]}`;
  }
  return compressedGroupsText(groups);
}

/**
 * The bytes of an address as ipv4Text or ipv6Text write it (4 or 16), or null for any other text: the way back
 * from an address table's text to what a packet holds.
 */
export function addressBytes(text: string): Uint8Array | null {
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const bytes = quad.slice(1).map(Number);
    return bytes.every((b) => b <= 255) ? Uint8Array.from(bytes) : null;
  }
  if (!text.includes(':')) return null;
  let groups: number[];
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (mapped) {
    const v4 = addressBytes(mapped[1]!);
    if (!v4) return null;
    groups = [0, 0, 0, 0, 0, 0xffff, (v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
  } else {
    const halves = text.split('::');
    if (halves.length > 2) return null;
    const part = (h: string) => (h === '' ? [] : h.split(':'));
    const head = part(halves[0]!);
    const tail = halves.length === 2 ? part(halves[1]!) : [];
    const fill = 8 - head.length - tail.length;
    if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
    const hex = [...head, ...new Array<string>(fill).fill('0'), ...tail];
    if (!hex.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
    groups = hex.map((g) => Number.parseInt(g, 16));
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/**
 * Eight 16-bit groups as text: lowercase hex without leading zeros, the first longest run of ≥ 2 zero groups
 * as "::" (RFC 5952 §4, and Python's ipaddress._compress_hextets, which agree on this).
 */
export function compressedGroupsText(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestLen < 2) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/**
 * The MAC `text` names as two words, its first two bytes (hi) and its last four (lo, an int32), into out[0]
 * and out[1]; false when `text` is not a MAC exactly as macText writes one (lowercase, colons): a lookup by
 * text then finds nothing, as comparing texts would.
 */
export function macWords(text: string, out: Int32Array): boolean {
  if (text.length !== 17) return false;
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 6; b++) {
    const at = b * 3;
    if (b < 5 && text.charCodeAt(at + 2) !== COLON) return false;
    const high = hexValue(text.charCodeAt(at));
    const low = hexValue(text.charCodeAt(at + 1));
    if (high < 0 || low < 0) return false;
    const byte = (high << 4) | low;
    if (b < 2) hi = (hi << 8) | byte;
    else lo = (lo << 8) | byte;
  }
  out[0] = hi;
  out[1] = lo;
  return true;
}

/** 0–15 for a lowercase hex digit's char code, else -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** Char codes of the hex digits. */
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const COLON = 0x3a;

/**
 * A MAC as lowercase "aa:bb:cc:dd:ee:ff". Made as one flat string: appending its parts made a chain of cons
 * strings (32 bytes each) that lives as long as the text, and a capture keeps one per host it meets.
 */
export function macText(bytes: Uint8Array, offset = 0): string {
  const h = HEX_CODES;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  const b4 = bytes[offset + 4]!;
  const b5 = bytes[offset + 5]!;
  return String.fromCharCode(
    h[b0 >> 4]!,
    h[b0 & 15]!,
    COLON,
    h[b1 >> 4]!,
    h[b1 & 15]!,
    COLON,
    h[b2 >> 4]!,
    h[b2 & 15]!,
    COLON,
    h[b3 >> 4]!,
    h[b3 & 15]!,
    COLON,
    h[b4 >> 4]!,
    h[b4 & 15]!,
    COLON,
    h[b5 >> 4]!,
    h[b5 & 15]!,
  );
}

/** An IPv4 address as an unsigned 32-bit number. */
export function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** [network, prefix length] pairs of Python 3.11's IPv4 private networks. */
const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = [
  [v4(0, 0, 0, 0), 8],
  [v4(10, 0, 0, 0), 8],
  [v4(127, 0, 0, 0), 8],
  [v4(169, 254, 0, 0), 16],
  [v4(172, 16, 0, 0), 12],
  [v4(192, 0, 0, 0), 24],
  [v4(192, 0, 2, 0), 24],
  [v4(192, 168, 0, 0), 16],
  [v4(198, 18, 0, 0), 15],
  [v4(198, 51, 100, 0), 24],
  [v4(203, 0, 113, 0), 24],
  [v4(240, 0, 0, 0), 4],
  [v4(255, 255, 255, 255), 32],
];
const NOT_PRIVATE_V4 = [v4(192, 0, 0, 9), v4(192, 0, 0, 10)];

/** Whether an IPv4 address (unsigned 32-bit) lies in network/prefix. */
export function inV4(value: number, network: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const shift = 32 - prefix;
  return value >>> shift === network >>> shift;
}

export function isPrivateV4(addr: Uint8Array, offset = 0): boolean {
  const value = v4(addr[offset]!, addr[offset + 1]!, addr[offset + 2]!, addr[offset + 3]!);
  if (NOT_PRIVATE_V4.includes(value)) return false;
  return PRIVATE_V4.some(([net, prefix]) => inV4(value, net, prefix));
}

/** Parses "2001:db8::" style prefixes for the table below (start-up only). */
function v6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = [
    ...headGroups,
    ...new Array(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

function inV6(addr: Uint8Array, network: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}

const PRIVATE_V6: ReadonlyArray<readonly [Uint8Array, number]> = [
  [v6('::1'), 128],
  [v6('::'), 128],
  [v6('64:ff9b:1::'), 48],
  [v6('100::'), 64],
  [v6('2001::'), 23],
  [v6('2001:db8::'), 32],
  [v6('2002::'), 16],
  [v6('fc00::'), 7],
  [v6('fe80::'), 10],
];
const NOT_PRIVATE_V6: ReadonlyArray<readonly [Uint8Array, number]> = [
  [v6('2001:1::1'), 128],
  [v6('2001:1::2'), 128],
  [v6('2001:3::'), 32],
  [v6('2001:4:112::'), 48],
  [v6('2001:20::'), 28],
  [v6('2001:30::'), 28],
];
const MAPPED_V4 = v6('::ffff:0:0');

export function isPrivateV6(addr: Uint8Array): boolean {
  if (inV6(addr, MAPPED_V4, 96)) return isPrivateV4(addr, 12);
  if (NOT_PRIVATE_V6.some(([net, prefix]) => inV6(addr, net, prefix))) return false;
  return PRIVATE_V6.some(([net, prefix]) => inV6(addr, net, prefix));
}

/** Multicast: 224.0.0.0/4 and ff00::/8 (not private in Python's sense). */
export function isMulticast(version: number, addr: Uint8Array): boolean {
  return version === 4 ? (addr[0]! & 0xf0) === 0xe0 : addr[0] === 0xff;
}
