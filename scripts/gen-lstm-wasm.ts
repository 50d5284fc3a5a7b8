/**
 * Writes src/models/lstm-wasm-bytes.ts: the LSTM's WebAssembly module (lstm-wasm.ts, lstm-gates-wasm.ts)
 * assembled once here, so that a process (and the LSTM's second thread) does not spend ~0.1 s of
 * start-up assembling it. src/models/lstm-wasm.test.ts fails when the file is stale.
 *   node --import tsx scripts/gen-lstm-wasm.ts
 */
import { writeFileSync } from 'node:fs';
import { lstmModuleSource } from '../src/models/lstm-wasm.js';

const path = new URL('../src/models/lstm-wasm-bytes.ts', import.meta.url).pathname;
writeFileSync(path, lstmModuleSource());
process.stdout.write(`wrote ${path}\n`);
