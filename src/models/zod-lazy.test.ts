/**
 * The shipped models skip the file schema (format.ts, model-registry.ts), so that a default eval does not
 * load zod (~0.1 s of its start-up): that is only right while each schema accepts its shipped file as it is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { defaultEvalWithHook } from '../test-helpers/eval-imports.js';
import { DEFAULT_MODEL_PATH, DEFAULT_SOS_MODEL_PATH, roleModelSchema } from './format.js';
import { sosLstmModelSchema } from './lstm.js';
import { finiteArray, zod } from './zod-lazy.js';

test('each shipped model file is what its schema makes of it (so skipping the schema changes nothing)', () => {
  const role = JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as Record<string, unknown>;
  const parsedRole = roleModelSchema().safeParse(role);
  assert.ok(parsedRole.success);
  assert.ok(isDeepStrictEqual(parsedRole.data, role), 'the role schema changes the shipped file');
  const lstm = JSON.parse(readFileSync(DEFAULT_SOS_MODEL_PATH, 'utf8')) as Record<string, unknown>;
  const parsedLstm = sosLstmModelSchema().safeParse(lstm);
  assert.ok(parsedLstm.success);
  // The schema drops only the envelope's checksum, which the scorer does not read.
  const { checksum, ...rest } = lstm;
  assert.equal(typeof checksum, 'string');
  assert.ok(isDeepStrictEqual(parsedLstm.data, rest), 'the sos-lstm schema changes the shipped file');
});

test('a default eval with the shipped models does not load zod', () => {
  // A resolve hook in the child notes every import of zod; its CommonJS cache is read at the end.
  const r = defaultEvalWithHook(
    "export async function resolve(s, c, next) { if (s === 'zod' || s.startsWith('zod/')) process.stderr.write('ESM zod from ' + c.parentURL + '\\n'); return next(s, c); }",
    [
      "const cached = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/zod/'));",
      "process.stderr.write('exit ' + code + ', CommonJS zod files ' + cached.length + '\\n');",
    ],
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"anomaly_model":"lstm"/);
  assert.doesNotMatch(r.stderr, /ESM zod/);
  assert.match(r.stderr, /exit 0, CommonJS zod files 0/);
});

test('finiteArray: finite numbers only, the first bad element named by its index', () => {
  const schema = finiteArray(zod());
  for (const ok of [[], [1, -0, 2.5, -1e308, 5e-324]]) assert.deepEqual(schema.parse(ok), ok);
  const issue = (v: unknown) => {
    const r = schema.safeParse(v);
    assert.ok(!r.success, JSON.stringify(v));
    const first = r.error.issues[0]!;
    return `${first.path.join('.')}: ${first.message}`;
  };
  assert.equal(issue('1,2'), ': expected an array of numbers');
  assert.equal(issue({ 0: 1 }), ': expected an array of numbers');
  assert.equal(issue([1, '2', 3]), '1: not a finite number');
  assert.equal(issue([1, 2, null]), '2: not a finite number');
  // JSON's 1e999 parses to Infinity.
  assert.equal(issue(JSON.parse('[0, 1e999]')), '1: not a finite number');
  assert.equal(issue([Number.NaN]), '0: not a finite number');
  // Inside other schemas the index follows the array's own path, as an element schema's would.
  const r = zod()
    .object({ w: zod().array(schema) })
    .safeParse({ w: [[1], [2, Number.NEGATIVE_INFINITY]] });
  assert.ok(!r.success);
  assert.deepEqual(r.error.issues[0]!.path, ['w', 1, 1]);
});
