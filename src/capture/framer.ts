import { CaptureError } from '../errors.js';

/**
 * A framer splits a capture byte stream into units (file header, records, blocks). The reader owns the
 * chunking: it calls unitLength once `headLen` bytes of a unit are at hand, then unit() once the whole
 * unit is contiguous (in the chunk itself, or in a scratch copy when it straddles two chunks).
 */
export interface Framer {
  /** Bytes of a unit needed before its length is known (always <= the smallest valid unit). */
  readonly headLen: number;
  /** Total length of the unit starting at b[off]; throws CaptureError on an impossible length. */
  unitLength(b: Uint8Array, off: number, fileOffset: number): number;
  /** Handles one complete unit b[off, off + len). */
  unit(b: Uint8Array, off: number, len: number, fileOffset: number): void;
}

/** What a framer throws for a record or block it cannot read (the reader tells it from its consumer's errors). */
export class FramingError extends CaptureError {}
