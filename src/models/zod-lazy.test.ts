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
