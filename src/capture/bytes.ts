/** Unsigned little/big-endian reads on a byte array; the caller guarantees the bytes are there. */

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function hex32(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** Records and blocks above this are treated as corruption, not data (tshark's own limit is similar). */
export const MAX_UNIT_LENGTH = 256 * 1024 * 1024;

/** libpcap's MAXIMUM_SNAPLEN: no capture of an ordinary link type holds a longer packet. */
export const MAX_SNAPLEN = 262_144;

/**
 * The longest packet a capture of this link type can hold, libpcap's max_snaplen_for_dlt: a record claiming
 * more is corrupt (libpcap and tshark refuse it too), whether or not its bytes follow.
 */
export function maxSnaplen(linkType: number): number {
  switch (linkType) {
    case 231: // DBUS
      return 128 * 1024 * 1024;
    case 279: // EBHSCR
      return 8 * 1024 * 1024;
    case 249: // USBPCAP
      return 1024 * 1024;
    default:
      return MAX_SNAPLEN;
  }
}
