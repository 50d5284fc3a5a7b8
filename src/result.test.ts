import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { captureResultSchema } from './result.js';

const RESULTS = join(import.meta.dirname, '../test-data/results');

// The report and `history` read results through the schema, which drops a key it does not name: every key
// eval writes must be in it (behavior.jsonl is a real eval line).
it('the result schema keeps every key of real and fixture results', () => {
  for (const file of ['behavior.jsonl', 'devices.jsonl', 'single-bin.jsonl']) {
    for (const line of readFileSync(join(RESULTS, file), 'utf8').trim().split('\n')) {
      const raw = JSON.parse(line) as unknown;
      assert.deepEqual(captureResultSchema.parse(raw), raw, file);
    }
  }
});
