/**
 * Bytes of ArrayBuffers (typed arrays' storage) still reachable, after full collections: what a structure
 * keeps, as opposed to what it allocated on the way (the grown-out copies of its tables are garbage).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function retainedArrayBufferBytes(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

/** Bytes still reachable on V8's heap and in ArrayBuffers, after full collections. */
export function retainedBytes(): number {
  const arrays = retainedArrayBufferBytes();
  return process.memoryUsage().heapUsed + arrays;
}
