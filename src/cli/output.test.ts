import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NetworkmlError } from '../errors.js';
import type { CaptureResult } from '../result.js';
import { type Output, openOutput, writeJsonLine } from './output.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function collect(): Output & { text(): string } {
  const parts: string[] = [];
  return { write: (t) => void parts.push(t), close: async () => {}, text: () => parts.join('') };
}

function result(bins: number): CaptureResult {
  return {
    file: 'a "quoted" \u0000 file.pcap',
    key: 'k',
    valid: true,
    data: { pcap: 'a.pcap' },
    detail: {
      labels: ['A', 'B'],
      probabilities: [0.25, 0.75],
      bins: Array.from({ length: bins }, (_, i) => ({
        timestamp: 1.5e9 + i * 0.1,
        capture_ip: i % 3 ? `10.0.0.${i % 256}` : '',
        probabilities: [1 / (i + 3), 1 - 1 / (i + 3)],
      })),
      abnormality: 0.1,
      anomaly_model: 'none',
      model: 'hash',
    },
  } as unknown as CaptureResult;
}

describe('writeJsonLine', () => {
  for (const n of [0, 5, 1024, 1025, 5000]) {
    it(`writes the bytes of JSON.stringify, ${n} bins`, () => {
      const out = collect();
      writeJsonLine(out, result(n));
      assert.equal(out.text(), `${JSON.stringify(result(n))}\n`);
    });
  }
});

describe('openOutput to a file', () => {
  it('writes the whole text under the final name only at close, nothing left beside it', async () => {
    const path = join(dir, 'out.json');
    const out = await openOutput(path);
    writeJsonLine(out, result(3000));
    assert.deepEqual(readdirSync(dir), [`out.json.${process.pid}.partial`]);
    await out.close();
    assert.deepEqual(readdirSync(dir), ['out.json']);
    assert.equal(readFileSync(path, 'utf8'), `${JSON.stringify(result(3000))}\n`);
  });

  it('an unwritable path is a one-line error', async () => {
    await assert.rejects(
      openOutput(join(dir, 'no', 'such', 'dir', 'out.json')),
      (err: unknown) => err instanceof NetworkmlError && !err.message.includes('\n'),
    );
  });
});
