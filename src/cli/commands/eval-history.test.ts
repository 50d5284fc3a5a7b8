/**
 * The README's "train on your own network, then eval" flow with device history ON (the default), for every
 * model kind, in SQLite and in Redis: `eval --model site-v2.json capture.pcap` must not fail on recording.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { type RedisServer, startRedis } from '../../test-helpers/redis.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-eval-history-'));
const captures = join(dir, 'captures');
const dataDir = join(dir, 'data');
const env = { NETWORKML_DATA_DIR: dataDir };
const capture = join(captures, 'Aria-A1-Mon0000-n00.pcap');
let redis: RedisServer;

interface Line {
  key: string;
  data: Record<string, { valid: boolean; source_mac: string; classification: { labels: string[] } }>;
  detail: { model: string };
}

function readResults(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

before(async () => {
  mkdirSync(captures);
  for (const type of ['Aria', 'HueBridge', 'iKettle2'])
    for (const n of [1, 2, 3]) {
      const name = `${type}-A${n}-Mon0000-n00.pcap`;
      copyFileSync(join(TEST_DATA, 'iot-sentinel/setups', name), join(captures, name));
    }
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('eval with trained models and device history on', () => {
  it('v2 and random-forest models, one after the other on the same device, in SQLite and Redis', () => {
    const v2 = join(dir, 'site-v2.json');
    const rf = join(dir, 'site-rf.json');
    // Training with cross-validation can be slow on a loaded machine: generous time limits.
    const trainedV2 = runCli(['train', captures, '--features', 'v2', '--save', v2], {
      env,
      timeoutMs: 600_000,
    });
    assert.equal(trainedV2.status, 0, trainedV2.stderr);
    const trainedRf = runCli(['train', captures, '-a', 'randomforest', '--warmup', '1', '--save', rf], {
      env,
      timeoutMs: 600_000,
    });
    assert.equal(trainedRf.status, 0, trainedRf.stderr);

    const models = [v2, rf, v2];
    for (const store of [[], ['--redis', redis.url]]) {
      const hashes: string[] = [];
      let mac = '';
      for (const [i, model] of models.entries()) {
        const out = join(dir, `results-${store.length}-${i}.jsonl`);
        const r = runCli(['eval', '--json', '--model', model, ...store, '-o', out, capture], {
          env,
          timeoutMs: 300_000,
        });
        assert.equal(r.status, 0, r.stderr);
        const [line] = readResults(out);
        const device = line!.data[line!.key]!;
        assert.equal(device.valid, true);
        assert.equal(device.classification.labels[0], 'Aria');
        mac = device.source_mac;
        hashes.push(line!.detail.model);
      }
      assert.equal(new Set(hashes).size, 2);
      const history = runCli(['history', mac, '--json', ...store], { env });
      assert.equal(history.status, 0, history.stderr);
      // The two models bin from different warm-ups (v2 0 s, the forest 1 s): one update each, both kept;
      // re-evaluating with the v2 model replaced its own update (one per device and update time).
      const { updates } = JSON.parse(history.stdout) as {
        updates: { model_hash: string; representation: number[] }[];
      };
      assert.deepEqual(updates.map((u) => u.model_hash).sort(), [...new Set(hashes)].sort());
      // A forest has no hidden layer: its class probabilities (one per label) are what is averaged.
      for (const u of updates) assert.equal(u.representation.length, 4);
    }
  });
});
