import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePython, pyFloat, toPython } from './pyliteral.js';

test('floats print as Python repr', () => {
  assert.equal(pyFloat(1579736553.945077), '1579736553.945077');
  assert.equal(pyFloat(1579736553), '1579736553.0');
  assert.equal(pyFloat(0), '0.0');
  assert.equal(pyFloat(-0), '-0.0');
  assert.equal(pyFloat(0.1), '0.1');
  assert.equal(pyFloat(1e-5), '1e-05');
  assert.equal(pyFloat(1.5e-7), '1.5e-07');
  assert.equal(pyFloat(0.0001), '0.0001');
  assert.equal(pyFloat(1e16), '1e+16');
  assert.equal(pyFloat(1234567890123456.8), '1234567890123456.8');
});

test('values print as Python str() of lists and dicts', () => {
  assert.equal(toPython(['Printer', "it's", 'a"b']), `['Printer', "it's", 'a"b']`);
  assert.equal(toPython([0.5, 1, 2e-6]), '[0.5, 1.0, 2e-06]');
  assert.equal(toPython(Float64Array.from([1, 0.25])), '[1.0, 0.25]');
  assert.equal(
    toPython({ decisions: { behavior: 'normal', investigate: true }, valid: false, x: null }),
    "{'decisions': {'behavior': 'normal', 'investigate': True}, 'valid': False, 'x': None}",
  );
  assert.equal(toPython('a\\b\n'), "'a\\\\b\\n'");
});

test('parses what the original stored, including NumPy 2 reprs, and round-trips ours', () => {
  assert.deepEqual(parsePython('[1579736553.945077, 1579737453.0]'), [1579736553.945077, 1579737453]);
  assert.deepEqual(parsePython("['10.0.0.2', \"it's\"]"), ['10.0.0.2', "it's"]);
  assert.deepEqual(parsePython('[np.float64(0.5), np.float64(-1e-05)]'), [0.5, -1e-5]);
  assert.deepEqual(parsePython("{'a': (1, 2,), 'b': True, 'c': None, 'd': []}"), {
    a: [1, 2],
    b: true,
    c: null,
    d: [],
  });
  assert.equal(parsePython("'\\x41\\u00e9'"), 'Aé');
  const v = { labels: ['Printer', 'Unknown'], confidences: [0.123456789012345, 1e-7], ok: true };
  assert.deepEqual(parsePython(toPython(v)), v);
});

test('refuses anything else', () => {
  for (const bad of ['', '[1, 2', "'abc", '__import__("os")', '[1] 2', '{1 2}', 'f(1, 2)']) {
    assert.throws(() => parsePython(bad), SyntaxError, bad);
  }
});
