import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runHistory } from '../cli/commands/history.js';
import { ExitCode, NetworkmlError } from '../errors.js';
import { HISTORY_FILE, openHistory } from './open-history.js';
import { packResult, STORED_RESULT_FORMAT, unpackResult } from './stored-result.js';

const FIXTURES = fileURLToPath(new URL('../../test-data/history/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'networkml-stored-result-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A result the size of a long capture's, with the values JSON gets wrong most easily. */
function longResult(bins: number): Record<string, unknown> {
  return {
    file: 'caf\u00e9 "x"\n\ud83d\ude00.pcap',
    key: 'k',
    valid: true,
    data: { k: { valid: false, pcap: 'p' }, pcap: 'p' },
    detail: {
      labels: ['A', 'B', 'C'],
      probabilities: [0.1, -0, 1e-300],
      bins: Array.from({ length: bins }, (_, i) => ({
        timestamp: 1.5e9 + i / 3,
        capture_ip: i % 5 ? `10.0.${i % 7}.${i % 251}` : '',
        probabilities: [1 / (i + 3), Math.sqrt(i) / 1e3, 1 - 1 / (i + 3)],
      })),
      abnormality: Number.NaN,
      model: 'hash',
    },
  };
}

/** What `networkml history` prints (the command's own code, in this process). */
async function historyText(mac: string, options: Parameters<typeof runHistory>[1]): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (d: Buffer) => void parts.push(d));
  await runHistory(mac, options, out);
  return Buffer.concat(parts).toString('utf8');
}

function update(mac: string, time: number, result: unknown) {
  return {
    mac,
    representations: [[1, 2]],
    timestamps: [time],
    labels: ['A', 'B', 'C'],
    confidences: [0.5, 0.3, 0.2],
    otherIps: [],
    modelHash: 'm',
    result,
  };
}

describe('packed stored results', () => {
  test('round trip: the same JSON text as JSON.stringify, much smaller', async () => {
    const result = longResult(8000);
    const text = JSON.stringify(result);
    const packed = await packResult(result);
    assert.equal(packed.toString('latin1', 0, 4), 'NMLR');
    assert.equal(packed[4], STORED_RESULT_FORMAT);
    assert.ok(packed.length * 4 < text.length, `${packed.length} vs ${text.length}`);
    const back = unpackResult(packed);
    assert.equal(JSON.stringify(back), text);
    assert.deepEqual(back, JSON.parse(text));
  });

  test('JSON text (older versions) reads as before; a packed result of an unknown format does not', async () => {
    assert.deepEqual(unpackResult('{"a":[1,2]}'), { a: [1, 2] });
    assert.equal(unpackResult(null), null);
    const packed = await packResult({ a: 1 });
    packed[4] = STORED_RESULT_FORMAT + 1;
    assert.throws(() => unpackResult(packed), /format 2, written by a newer networkml/);
    assert.throws(() => unpackResult(Buffer.from('garbage')), /neither JSON text nor a packed result/);
  });

  test('SQLite stores a BLOB and lists the result as recorded; a bad one is a one-line service error', async () => {
    const d = join(dir, 'packed');
    const h = await openHistory({ dataDir: d, env: {} });
    const result = longResult(3000);
    await h.record(update('02:00:00:00:00:01', 1_600_000_000, result));
    const [entry] = await h.list('02:00:00:00:00:01');
    assert.equal(JSON.stringify(entry!.result), JSON.stringify(result));
    await h.close();
    const db = new Database(join(d, HISTORY_FILE));
    const row = db.prepare('SELECT typeof(result) AS type, length(result) AS size FROM updates').get() as {
      type: string;
      size: number;
    };
    assert.equal(row.type, 'blob');
    assert.ok(row.size * 4 < JSON.stringify(result).length);
    db.prepare('UPDATE updates SET result = ?').run(Buffer.from('NMLR\u0009xx', 'latin1'));
    db.close();
    const again = await openHistory({ dataDir: d, env: {} });
    await assert.rejects(
      again.list('02:00:00:00:00:01'),
      (err: unknown) =>
        err instanceof NetworkmlError && err.exitCode === ExitCode.SERVICE && !err.message.includes('\n'),
    );
    await again.close();
  });

  test('a database written by an older version (results as JSON text) prints exactly what it printed', async () => {
    const d = join(dir, 'old');
    const h0 = await openHistory({ dataDir: d, env: {} }); // creates the directory
    await h0.close();
    copyFileSync(join(FIXTURES, 'text-results.sqlite'), join(d, HISTORY_FILE));
    for (const mac of ['20:f8:5e:ca:91:52', '00:00:00:00:00:00']) {
      const name = `text-results.${mac.replaceAll(':', '-')}`;
      for (const json of [true, false]) {
        let printed = await historyText(mac, { json, dataDir: d });
        if (json) {
          // Since written, --json also names the history it read: the same otherwise.
          const { history, ...rest } = JSON.parse(printed) as { history: string };
          assert.equal(history, join(d, HISTORY_FILE));
          printed = `${JSON.stringify(rest)}\n`;
        }
        const ext = json ? 'json' : 'txt';
        assert.equal(printed, readFileSync(join(FIXTURES, `${name}.${ext}`), 'utf8'), `${mac} ${ext}`);
      }
    }
    // A new update beside the old ones: both read, the old one unchanged.
    const h = await openHistory({ dataDir: d, env: {} });
    const before = await h.list('20:f8:5e:ca:91:52');
    await h.record(update('20:f8:5e:ca:91:52', before[0]!.time + 86_400, longResult(10)));
    const listed = await h.list('20:f8:5e:ca:91:52');
    await h.close();
    assert.equal(listed.length, 2);
    assert.deepEqual(listed[0], before[0]);
    assert.equal(JSON.stringify(listed[1]!.result), JSON.stringify(longResult(10)));
  });
});
