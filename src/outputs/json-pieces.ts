/**
 * `JSON.stringify(value)` (no replacer, no indent) handed out in pieces of about `pieceChars` characters:
 * a long capture's result lists every bin (~20 MB of JSON for 56,100 bins), and one string of it, plus its
 * UTF-8 copy on the way to a file or into the history, was the largest single cost of eval's peak memory.
 *
 * The pieces joined are exactly the native text: the same property order (Object.keys), toJSON called
 * once with its key, boxed primitives unwrapped, undefined / functions / symbols left out of objects and
 * null in arrays, non-finite numbers null, -0 as 0, strings escaped by JSON.stringify itself, BigInt and
 * cycles a TypeError. It walks with its own stack (no recursion, no generator per value), so a caller can
 * pull one piece, wait (a stream's backpressure), and pull the next. An array's elements that are objects
 * or arrays are written whole by JSON.stringify (a result's bins, each a few hundred characters): a piece
 * is `pieceChars` long plus at most one such element.
 */
import { types } from 'node:util';

const DEFAULT_PIECE_CHARS = 1 << 16;

type Frame =
  | { array: true; value: readonly unknown[]; next: number }
  | { array: false; value: Record<string, unknown>; keys: string[]; next: number; wrote: boolean };

/** The value as JSON.stringify sees it at `key`: toJSON applied once, boxed primitives unwrapped. */
function prepare(raw: unknown, key: string): unknown {
  let value = raw;
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (typeof value === 'object' && value !== null && types.isBoxedPrimitive(value)) {
    if (types.isNumberObject(value)) return Number(value);
    if (types.isStringObject(value)) return String(value);
    if (types.isBooleanObject(value)) return value.valueOf();
    if (types.isBigIntObject(value)) return value.valueOf();
  }
  return value;
}

/** Whether JSON.stringify leaves the value out (of an object) or writes null for it (in an array). */
function skipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

export class JsonPieces {
  private readonly stack: Frame[] = [];
  private readonly open = new Set<object>();
  private text = '';
  private started = false;

  constructor(
    private readonly value: unknown,
    private readonly pieceChars = DEFAULT_PIECE_CHARS,
  ) {}

  /** The next piece, or null when the whole text has been handed out (undefined input: no piece at all). */
  next(): string | null {
    if (!this.started) {
      this.started = true;
      const top = prepare(this.value, '');
      if (skipped(top)) return null;
      this.write(top);
    }
    while (this.stack.length > 0 && this.text.length < this.pieceChars) this.step();
    if (this.text.length === 0) return null;
    const piece = this.text;
    this.text = '';
    return piece;
  }

  private step(): void {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.array) {
      if (frame.next < frame.value.length) {
        const i = frame.next++;
        if (i > 0) this.text += ',';
        const item = prepare(frame.value[i], String(i));
        if (skipped(item)) this.text += 'null';
        else if (
          typeof item === 'object' &&
          item !== null &&
          typeof (item as { toJSON?: unknown }).toJSON !== 'function'
        )
          // Natively, whole: the same text (its toJSON is applied, and JSON.stringify would not call
          // another), 3–4× faster than walking each bin's fields here.
          this.text += JSON.stringify(item);
        else this.write(item);
        return;
      }
      this.text += ']';
    } else {
      while (frame.next < frame.keys.length) {
        const key = frame.keys[frame.next++]!;
        const item = prepare(frame.value[key], key);
        if (skipped(item)) continue;
        this.text += `${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`;
        frame.wrote = true;
        this.write(item);
        return;
      }
      this.text += '}';
    }
    this.stack.pop();
    this.open.delete(frame.value);
  }

  /** Writes a prepared, not skipped value: a primitive whole, a container's opening (its frame the rest). */
  private write(value: unknown): void {
    if (value === null) this.text += 'null';
    else if (typeof value === 'string') this.text += JSON.stringify(value);
    else if (typeof value === 'number') this.text += Number.isFinite(value) ? String(value) : 'null';
    else if (typeof value === 'boolean') this.text += value ? 'true' : 'false';
    else if (typeof value === 'object') {
      if (this.open.has(value)) throw new TypeError('Converting circular structure to JSON');
      this.open.add(value);
      if (Array.isArray(value)) {
        this.text += '[';
        this.stack.push({ array: true, value, next: 0 });
      } else {
        this.text += '{';
        const record = value as Record<string, unknown>;
        this.stack.push({ array: false, value: record, keys: Object.keys(record), next: 0, wrote: false });
      }
    } else JSON.stringify(value); // a BigInt: throws the native TypeError
  }
}

/** Hands `JSON.stringify(value)` to `emit` in pieces (none when JSON.stringify gives undefined). */
export function writeJsonPieces(value: unknown, emit: (piece: string) => void, pieceChars?: number): void {
  const pieces = new JsonPieces(value, pieceChars);
  for (let piece = pieces.next(); piece !== null; piece = pieces.next()) emit(piece);
}

/**
 * `JSON.stringify(value)` as UTF-8 bytes, in one Buffer of exactly their size: the text is serialised twice
 * (once to count its bytes), so a long result is never a string and a Buffer at once, nor two Buffers.
 */
export function jsonBytes(value: unknown): Buffer {
  let size = 0;
  writeJsonPieces(value, (piece) => {
    size += Buffer.byteLength(piece, 'utf8');
  });
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  writeJsonPieces(value, (piece) => {
    at += bytes.write(piece, at, 'utf8');
  });
  if (at !== size)
    throw new Error(`jsonBytes: the value changed while it was serialised (${at} of ${size} bytes)`);
  return bytes;
}
