import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaptureError } from '../errors.js';
import { climbsUp, JobError, MAX_ID_CHARS, numericIdLiteral, parseJob, resolveJobPath } from './job.js';
import { errorMessages } from './messages.js';

describe('parseJob', () => {
  it('reads id and file_path, ignoring other fields', () => {
    const job = parseJob(Buffer.from('{"id":"a1","file_path":"x.pcap","type":"metadata"}'));
    assert.deepEqual(job, { id: 'a1', file_path: 'x.pcap' });
  });
  it('accepts a numeric id as a string', () => {
    assert.equal(parseJob(Buffer.from('{"id":7,"file_path":"x.pcap"}')).id, '7');
  });
  it('keeps the digits of an integer id beyond 2^53, as the sender wrote them', () => {
    const text = '{"file_path":"x.pcap","id" : 12345678901234567890,"n":{"id":1}}';
    assert.equal(parseJob(Buffer.from(text)).id, '12345678901234567890');
    assert.equal(
      parseJob(Buffer.from('{"id":-98765432109876543210123,"file_path":"x"}')).id,
      '-98765432109876543210123',
    );
    // The last "id" member counts, as for JSON.parse; nested and quoted look-alikes do not.
    assert.equal(
      parseJob(Buffer.from('{"x":"\\"id\\":1","id":1,"a":[{"id":2}],"id":90071992547409931,"file_path":"x"}'))
        .id,
      '90071992547409931',
    );
    assert.equal(numericIdLiteral('{"id":1e400}'), '1e400');
    assert.equal(parseJob(Buffer.from('{"id":9007199254740991,"file_path":"x"}')).id, '9007199254740991');
    // A malformed job with such an id still carries its digits into the error result.
    assert.throws(
      () => parseJob(Buffer.from('{"id":12345678901234567890,"file_path":""}')),
      (err: unknown) => err instanceof JobError && err.identity.id === '12345678901234567890',
    );
  });
  it('refuses non-JSON with a one-line error and no identity', () => {
    assert.throws(
      () => parseJob(Buffer.from('{not json')),
      (err: unknown) => err instanceof JobError && !err.message.includes('\n') && err.identity.id === null,
    );
  });
  it('keeps what it could read of a job with a bad shape', () => {
    assert.throws(
      () => parseJob(Buffer.from('{"id":"j9","file_path":""}')),
      (err: unknown) => err instanceof JobError && err.identity.id === 'j9' && err.identity.file_path === '',
    );
    assert.throws(() => parseJob(Buffer.from('[1,2]')), JobError);
    assert.throws(() => parseJob(Buffer.from('null')), JobError);
  });
  it("takes any JSON number as id, one beyond a double too, and the network tap's empty id", () => {
    assert.equal(parseJob(Buffer.from('{"id":1e400,"file_path":"a.pcap"}')).id, '1e400');
    assert.equal(parseJob(Buffer.from('{"id":-0.5,"file_path":"a.pcap"}')).id, '-0.5');
    // What Poseidon's network tap (ncapture's send_message.py, started without an id) sends.
    const tap =
      '{"id": "", "type": "metadata", "file_path": "/files/trace_x.pcap", "data": "", "file_type": "pcap_strip"}';
    assert.deepEqual(parseJob(Buffer.from(tap)), { id: '', file_path: '/files/trace_x.pcap' });
    assert.throws(
      () => parseJob(Buffer.from('{"id":null,"file_path":"a.pcap"}')),
      (err: unknown) =>
        err instanceof JobError &&
        err.message === 'malformed job: expected {"id": string or number, "file_path": non-empty string}',
    );
  });
  it("refuses an id too long to send back: a result of a 10 MB id passed the broker's message size limit", () => {
    assert.equal(
      parseJob(Buffer.from(JSON.stringify({ id: 'y'.repeat(MAX_ID_CHARS), file_path: 'a.pcap' }))).id.length,
      MAX_ID_CHARS,
    );
    const id = 'y'.repeat(10 * 1024 * 1024);
    assert.throws(
      () => parseJob(Buffer.from(JSON.stringify({ id, file_path: 'a.pcap' }))),
      (err: unknown) =>
        err instanceof JobError &&
        err.message === `malformed job: an id of ${id.length} characters (at most ${MAX_ID_CHARS})` &&
        err.identity.file_path === 'a.pcap',
    );
    // Its error result clips the id, as for every error.
    const [message] = errorMessages('poseidon', { id, file_path: 'a.pcap' }, 'malformed job', '1');
    assert.ok(JSON.stringify(message).length < 4096);
  });
});

it("finds '..' as a path segment, either separator, and nothing else", () => {
  for (const p of ['..', '../x', 'x/..', 'a/../b', 'a\\..\\b', '/..', 'a/..\\b'])
    assert.equal(climbsUp(p), true, p);
  for (const p of ['...', 'a..b', '..a', 'a..', 'x/...y', '', '.']) assert.equal(climbsUp(p), false, p);
});

describe('resolveJobPath', () => {
  let base: string;
  let root: string;
  before(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'networkml-job-')));
    root = join(base, 'root');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'sub', 'a.pcap'), 'x');
    await writeFile(join(base, 'secret.pcap'), 'x');
    await symlink(join(base, 'secret.pcap'), join(root, 'escape.pcap'));
    await symlink(join(root, 'sub', 'a.pcap'), join(root, 'inside-link.pcap'));
    await symlink(base, join(root, 'up'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('resolves relative paths against the root', async () => {
    assert.equal(await resolveJobPath(root, 'sub/a.pcap'), join(root, 'sub', 'a.pcap'));
  });
  it('accepts absolute paths inside the root', async () => {
    assert.equal(await resolveJobPath(root, join(root, 'sub', 'a.pcap')), join(root, 'sub', 'a.pcap'));
  });
  it('accepts a symlink that stays inside, keeping the name the job gave', async () => {
    assert.equal(await resolveJobPath(root, 'inside-link.pcap'), join(root, 'inside-link.pcap'));
  });
  it('refuses ..', async () => {
    await assert.rejects(resolveJobPath(root, '../secret.pcap'), /refused/);
    await assert.rejects(resolveJobPath(root, 'sub/../sub/a.pcap'), /refused/);
  });
  it('refuses absolute paths elsewhere', async () => {
    await assert.rejects(resolveJobPath(root, join(base, 'secret.pcap')), /outside the capture root/);
    await assert.rejects(resolveJobPath(root, '/etc/passwd'), /outside the capture root/);
  });
  it('refuses symlinks out of the root, of files and of directories', async () => {
    await assert.rejects(resolveJobPath(root, 'escape.pcap'), /symlink/);
    await assert.rejects(resolveJobPath(root, 'up/secret.pcap'), /symlink/);
  });
  it('reports a missing file and a directory as capture errors', async () => {
    await assert.rejects(
      resolveJobPath(root, 'nope.pcap'),
      (err: unknown) => err instanceof CaptureError && /no such file/.test(err.message),
    );
    await assert.rejects(resolveJobPath(root, 'sub'), /not a regular file/);
  });
  it('quotes a huge path clipped, with its size', async () => {
    const huge = `${'d/'.repeat(500_000)}x.pcap`;
    await assert.rejects(resolveJobPath(root, huge), (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.ok(err.message.length < 400, `${err.message.length} characters`);
      assert.match(
        err.message,
        /^d\/d\/.*… \(1000006 bytes\): no such file \(a path is shorter than 4096 bytes\)$/,
      );
      return true;
    });
    // Longer than any path can be: refused before it is taken apart, '..' or not.
    await assert.rejects(resolveJobPath(root, `../${huge}`), (err: unknown) => {
      assert.ok(err instanceof CaptureError && err.message.length < 400, String(err));
      assert.match(
        err.message,
        /^\.\.\/d\/.*… \(1000009 bytes\): no such file \(a path is shorter than 4096 bytes\)$/,
      );
      return true;
    });
    const longest = `${'d/'.repeat(2047)}x`; // 4095 bytes: a path may be that long, and this one is missing
    await assert.rejects(resolveJobPath(root, longest), /no such file|ENAMETOOLONG/);
    await assert.rejects(
      resolveJobPath(root, `${longest}x`),
      /no such file \(a path is shorter than 4096 bytes\)$/,
    );
  });
});
