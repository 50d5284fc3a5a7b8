import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureResult } from '../result.js';
import { type Output, writeJsonLine } from './output.js';

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
