/**
 * Bytes the JS heap allocated while `run` ran, from V8's sampling heap profiler with the objects the
 * garbage collector already took counted too (heap-size differences miss those, which are the point).
 * A sampling estimate: about one sample per `samplingInterval` bytes, so compare against thresholds
 * far from the measured values.
 */
import { Session } from 'node:inspector';

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

function total(node: SamplingNode): number {
  let sum = node.selfSize;
  for (const child of node.children) sum += total(child);
  return sum;
}

export async function allocatedBytes(
  run: () => void | Promise<void>,
  samplingInterval = 512,
): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await post(session, 'HeapProfiler.enable');
    await post(session, 'HeapProfiler.startSampling', {
      samplingInterval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await run();
    const { profile } = await post<{ profile: { head: SamplingNode } }>(session, 'HeapProfiler.stopSampling');
    return total(profile.head);
  } finally {
    session.disconnect();
  }
}

/**
 * The fewest bytes `run` allocated over up to `tries` runs, stopping at the first under `enough`. Optimised
 * code (which boxes no doubles) comes from V8's background threads, late on a loaded machine; code that
 * allocates per packet does so on every run, so the fewest is the figure to judge.
 */
export async function fewestAllocatedBytes(
  run: () => void | Promise<void>,
  enough: number,
  tries = 6,
): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tries && fewest >= enough; i++) fewest = Math.min(fewest, await allocatedBytes(run));
  return fewest;
}
