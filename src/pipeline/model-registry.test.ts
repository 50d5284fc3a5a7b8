import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_SOS_MODEL_PATH } from '../models/format.js';
import { Rng } from '../models/rng.js';
import { fileStart, lstmFor } from './model-registry.js';

const dir = mkdtempSync(join(tmpdir(), 'nml-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("fileStart(path, n) is the whole file's text cut to n units, whatever the UTF-8 around the cut", () => {
  const rng = new Rng(7);
  // One to four bytes per character, and invalid bytes: the cut lands inside sequences of every length.
  const pieces = ['a', ' ', 'é', '\u00a0', '€', '\u3000', '𝄞', '"format"', '\ufeff'];
  for (let round = 0; round < 200; round++) {
    const chars: string[] = [];
    const length = Math.floor(rng.next() * 60);
    for (let i = 0; i < length; i++) chars.push(pieces[Math.floor(rng.next() * pieces.length)]!);
    let bytes = Buffer.from(chars.join(''), 'utf8');
    if (round % 5 === 0) bytes = Buffer.concat([bytes, Buffer.from([0xf0, 0x9d]), Buffer.from('xyz')]);
    const path = join(dir, `f${round}.json`);
    writeFileSync(path, bytes);
    const whole = readFileSync(path, 'utf8');
    for (let n = 0; n <= 40; n++)
      assert.equal(fileStart(path, n), whole.slice(0, n), `round ${round}, n ${n}`);
  }
  const bundled = readFileSync(DEFAULT_SOS_MODEL_PATH, 'utf8');
  assert.equal(fileStart(DEFAULT_SOS_MODEL_PATH, 4096), bundled.slice(0, 4096));
});

test('the bundled LSTM is recognised as ours and loaded once', () => {
  const a = lstmFor();
  assert.equal(a.seqLen, 10);
  assert.equal(lstmFor(DEFAULT_SOS_MODEL_PATH), a);
});
