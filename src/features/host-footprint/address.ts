/**
 * Addresses as the original saw them: a 128-bit integer (IPv4 in the low 32 bits) that Python's
 * `ipaddress.ip_address(int)` turns into an IPv4Address below 2^32 and an IPv6Address above, possibly after
 * pandas rounded it through float64 (docs/features-host-footprint.md, "IPv6 rounding"). Words are
 * most significant first.
 */
import { compressedGroupsText, inV4, v4 } from '../../sessions/address.js';

/** Rounds the 128-bit value in w[0..3] to the nearest float64 (ties to even), in place. */
export function roundToFloat64(w: Uint32Array): void {
  let top = -1;
  for (let i = 0; i < 4; i++) {
    if (w[i] !== 0) {
      top = (3 - i) * 32 + (31 - Math.clz32(w[i]!));
      break;
    }
  }
  if (top < 53) return; // 53 significant bits or fewer: exact
  const shift = top - 52; // bits below the kept 53
  const bit = (k: number): number => (w[3 - (k >> 5)]! >>> (k & 31)) & 1;
  const round = bit(shift - 1);
  let sticky = 0;
  for (let k = 0; k < shift - 1 && !sticky; k++) sticky = bit(k);
  const lsb = bit(shift);
  // Clear the dropped bits.
  for (let k = 0; k < shift; k++) {
    const word = 3 - (k >> 5);
    w[word] = (w[word]! & ~(1 << (k & 31))) >>> 0;
  }
  if (round && (sticky || lsb)) {
    // Add 2^shift with carry.
    let word = 3 - (shift >> 5);
    let add = 2 ** (shift & 31);
    while (word >= 0 && add) {
      const sum = w[word]! + add;
      w[word] = sum >>> 0;
      add = sum >= 0x1_0000_0000 ? 1 : 0;
      word--;
    }
  }
}

/** Python 3.11 `str(ip_address(value))`. */
export function pythonAddressText(w: Uint32Array): string {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0) {
    const v = w[3]!;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) groups.push(w[i]! >>> 16, w[i]! & 0xffff);
  return compressedGroupsText(groups);
}

/** Python 3.11.2-6+deb12u6's IPv4 `is_private` networks (with the CVE-2024-4032 table). */
const PRIVATE_V4: readonly (readonly [number, number])[] = [
  [v4(0, 0, 0, 0), 8],
  [v4(10, 0, 0, 0), 8],
  [v4(127, 0, 0, 0), 8],
  [v4(169, 254, 0, 0), 16],
  [v4(172, 16, 0, 0), 12],
  [v4(192, 0, 0, 0), 24],
  [v4(192, 0, 0, 170), 31],
  [v4(192, 0, 2, 0), 24],
  [v4(192, 168, 0, 0), 16],
  [v4(198, 18, 0, 0), 15],
  [v4(198, 51, 100, 0), 24],
  [v4(203, 0, 113, 0), 24],
  [v4(240, 0, 0, 0), 4],
  [v4(255, 255, 255, 255), 32],
];
const NOT_PRIVATE_V4 = [v4(192, 0, 0, 9), v4(192, 0, 0, 10)];

/** [first word … , prefix] for IPv6 networks: words most significant first. */
type Net6 = readonly [number, number, number, number, number];
const PRIVATE_V6: readonly Net6[] = [
  [0, 0, 0, 1, 128], // ::1
  [0, 0, 0, 0, 128], // ::
  [0, 0, 0xffff, 0, 96], // ::ffff:0:0/96
  [0x0064ff9b, 0x00010000, 0, 0, 48], // 64:ff9b:1::/48
  [0x01000000, 0, 0, 0, 64], // 100::/64
  [0x20010000, 0, 0, 0, 23], // 2001::/23
  [0x20010db8, 0, 0, 0, 32], // 2001:db8::/32
  [0x20020000, 0, 0, 0, 16], // 2002::/16
  [0xfc000000, 0, 0, 0, 7], // fc00::/7
  [0xfe800000, 0, 0, 0, 10], // fe80::/10
];
const NOT_PRIVATE_V6: readonly Net6[] = [
  [0x20010001, 0, 0, 1, 128],
  [0x20010001, 0, 0, 2, 128],
  [0x20010003, 0, 0, 0, 32],
  [0x20010004, 0x01120000, 0, 0, 48],
  [0x20010020, 0, 0, 0, 28],
  [0x20010030, 0, 0, 0, 28],
];

function in6(w: Uint32Array, net: Net6): boolean {
  let bits = net[4];
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const shift = bits >= 32 ? 0 : 32 - bits;
    if (shift === 0) {
      if (w[i] !== net[i]) return false;
    } else if (w[i]! >>> shift !== net[i]! >>> shift) return false;
  }
  return true;
}

/** `ip_address(value).is_private`. */
export function isPrivate(w: Uint32Array): boolean {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0) {
    const v = w[3]!;
    if (NOT_PRIVATE_V4.includes(v)) return false;
    return PRIVATE_V4.some(([net, prefix]) => inV4(v, net, prefix));
  }
  if (NOT_PRIVATE_V6.some((n) => in6(w, n))) return false;
  return PRIVATE_V6.some((n) => in6(w, n));
}

/** `ip_address(value).version == 4 and .is_multicast` (224.0.0.0/4). */
export function isIpv4Multicast(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3]! >>> 28 === 0xe;
}
