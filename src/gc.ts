/**
 * A full garbage collection between the stages of a long evaluation. Reading a long capture promotes much
 * short-lived per-bin state to V8's old generation, and V8 lets that garbage grow to a multiple of the live
 * heap before it collects: after evaluating the ~11 GB stream the heap held ~75 MiB of which ~33 MiB live,
 * and the stages after it (the LSTM's second thread, the history write, the output) added their own
 * memory on top. One collection at each boundary costs tens of milliseconds and only runs when the heap
 * is large enough to be worth it, and only when the launcher exposes gc() (bin/networkml.js starts Node
 * with --expose-gc); elsewhere (a library user, `node dist/...`) it does nothing.
 */
import { getHeapStatistics } from 'node:v8';

/** Below this much heap in use a collection frees too little to matter (a 1 GB capture stays under it). */
const WORTH_BYTES = 32 * 1024 * 1024;

/**
 * Collects when the heap holds at least `worthBytes` (a stage that adds more memory can ask for less); says
 * whether it did.
 */
export function collectGarbage(worthBytes = WORTH_BYTES): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function' || getHeapStatistics().used_heap_size < worthBytes) return false;
  gc();
  return true;
}

/**
 * Collections for a run of many evaluations (per-host mode: one per host, thousands for a LAN capture). A full
 * collection costs about the live heap, results so far included: one per evaluation made 10,000 hosts take
 * minutes. Here one runs (as collectGarbage, from `fromBytes` of heap) only while the collections so far took at
 * most `share` of the time since the pacer was made: a few large evaluations still each let the last one's
 * garbage go (per-host eval of the 1 GiB benchmark capture: ~70 MiB less at the peak than with none), many
 * small ones get a collection now and then.
 */
export class GarbagePacer {
  private readonly started = performance.now();
  private spentMs = 0;

  constructor(
    private readonly fromBytes: number,
    private readonly share = 0.1,
  ) {}

  collect(): void {
    const now = performance.now();
    if (this.spentMs > this.share * (now - this.started)) return;
    if (collectGarbage(this.fromBytes)) this.spentMs += performance.now() - now;
  }
}
