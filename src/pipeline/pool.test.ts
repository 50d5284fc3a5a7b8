import assert from 'node:assert/strict';
import { it } from 'node:test';
import { referenceCapturePath, referenceRecords } from '../test-helpers/reference.js';
import { workerExitCodes } from '../test-helpers/worker-exits.js';
import { runJobs } from './pool.js';

it('runs captures on worker threads and returns results in input order, errors in place', async () => {
  // Largest first, so the threads finish out of order.
  const paths = referenceRecords()
    .map(referenceCapturePath)
    .sort((a, b) => (a.includes('HueBridge') ? -1 : b.includes('HueBridge') ? 1 : 0));
  paths.splice(2, 0, '/nonexistent/capture.pcap');
  const inputs = paths.map((path) => ({ path, options: {} }));
  const done: number[] = [];
  const threaded = await runJobs('inspect', inputs, { threads: 2, onDone: (i) => done.push(i) });
  const inline = await runJobs('inspect', inputs, { threads: 1 });
  assert.equal(threaded.length, paths.length);
  assert.deepEqual(
    [...done].sort((a, b) => a - b),
    paths.map((_, i) => i),
  );
  threaded.forEach((r, i) => {
    if (paths[i]!.startsWith('/nonexistent')) {
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, /nonexistent\/capture\.pcap/);
      return;
    }
    assert.ok(r.ok);
    if (r.ok) assert.equal(r.value.pcap, paths[i]!.split('/').pop());
    assert.deepEqual(r, inline[i], 'the same answer on a worker thread as in the calling thread');
  });
});

it('a worker that dies takes only its own input: each gets a one-line error, the rest still run', async () => {
  // A 2 MiB heap cannot even load the pipeline: every worker runs out of memory on its first job. Each input
  // must still get its own answer (a fresh worker per input), in order, instead of a hang or a lost result.
  const paths = referenceRecords().map(referenceCapturePath).slice(0, 3);
  const inputs = paths.map((path) => ({ path, options: {} }));
  const done: number[] = [];
  const results = await runJobs('inspect', inputs, {
    threads: 2,
    workerHeapMb: 2,
    onDone: (i) => done.push(i),
  });
  assert.equal(results.length, 3);
  results.forEach((r, i) => {
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error, `${paths[i]}: out of memory in its worker thread`);
      assert.equal(r.exitCode, 1);
    }
  });
  assert.deepEqual(
    done.sort((a, b) => a - b),
    [0, 1, 2],
  );
  // With room to work, the same pool answers normally.
  const fine = await runJobs('inspect', inputs, { threads: 2, workerHeapMb: 256 });
  assert.ok(fine.every((r) => r.ok));
});

it('pool workers end by themselves after their last job, one that got no input too: none is terminated', async () => {
  // One small input and two threads: the second worker is still starting when the first has answered.
  const path = referenceRecords().map(referenceCapturePath)[0]!;
  const { value, codes } = await workerExitCodes(() =>
    runJobs(
      'inspect',
      [
        { path, options: {} },
        { path, options: {} },
      ],
      { threads: 2 },
    ),
  );
  assert.ok(value.every((r) => r.ok));
  assert.equal(codes.length, 2);
  assert.deepEqual(codes, [0, 0], 'ended by itself (terminated: 1 while running, -1 before it ran)');
});
