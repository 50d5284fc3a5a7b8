/**
 * Which capture errors the worker tries again (capture-retry.ts): those the file system gave, for a capture
 * that may yet be readable, whether the job's path check, the reader or the reader thread met them; never a
 * capture that is there and wrong.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { analyzeCapture } from '../pipeline/analyze.js';
import { retryDelays, retryQueueName, transientCode } from './capture-retry.js';
import { resolveJobPath } from './job.js';

const EDGE = join(import.meta.dirname, '../../test-data/captures/edge');
const root = mkdtempSync(join(tmpdir(), 'networkml-capture-retry-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** What `work` rejects with. */
async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => assert.fail('succeeded'),
    (err: unknown) => err,
  );
}

describe('transientCode', () => {
  it('a capture not there (yet): the path check, the reader and the reader thread all say ENOENT', async () => {
    const missing = join(root, 'missing.pcap');
    assert.equal(transientCode(await failure(resolveJobPath(root, 'missing.pcap'))), 'ENOENT');
    assert.equal(transientCode(await failure(readCapture(missing, () => {}))), 'ENOENT');
    assert.equal(transientCode(await failure(analyzeCapture(missing, { readerThread: true }))), 'ENOENT');
    assert.equal(transientCode(await failure(analyzeCapture(missing, { readerThread: false }))), 'ENOENT');
    // Its folder not there yet either.
    assert.equal(transientCode(await failure(resolveJobPath(root, 'later/missing.pcap'))), 'ENOENT');
  });

  it('a capture that is there and wrong, or a path the worker refuses: never tried again', async () => {
    mkdirSync(join(root, 'dir.pcap'));
    writeFileSync(join(root, 'text.pcap'), 'not a capture at all\n');
    symlinkSync('/etc/hostname', join(root, 'escape.pcap'));
    for (const [path, why] of [
      ['dir.pcap', /not a regular file/],
      ['/etc/passwd', /outside the capture root/],
      ['escape.pcap', /symlink/],
      ['../x.pcap', /refused/],
    ] as const)
      assert.equal(transientCode(await failure(resolveJobPath(root, path))), null, String(why));
    for (const path of [join(root, 'text.pcap'), join(EDGE, 'empty.pcap'), join(EDGE, 'absurd-caplen.pcap')])
      assert.equal(transientCode(await failure(readCapture(path, () => {}))), null, path);
    // EISDIR from the reader itself: a directory stays one.
    assert.equal(transientCode(await failure(readCapture(join(root, 'dir.pcap'), () => {}))), null);
    assert.equal(transientCode(new Error('ENOENT')), null);
  });
});

it('one retry queue per pause, the pauses doubling', () => {
  assert.deepEqual(retryDelays({ retries: 3, initialDelayMs: 3000 }), [3000, 6000, 12000]);
  assert.deepEqual(retryDelays({ retries: 0, initialDelayMs: 3000 }), []);
  assert.equal(retryQueueName('networkml_jobs', 6000), 'networkml_jobs.retry-6000ms');
});
