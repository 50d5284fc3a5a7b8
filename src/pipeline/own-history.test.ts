/**
 * With a behaviour model and device history, services a device never used before raise its windows' scores
 * (applyOwnHistory). When that makes another window than the model's worst the deciding one, the result's
 * behaviour detail must describe that window: the reasons, worst_bin and score of one window, not a mix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CaptureResult } from '../result.js';
import { runCli } from '../test-helpers/cli.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { concatenatedCaptures } from '../test-helpers/repeated-capture.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-own-history-'));
const role = join(dir, 'role.json');
const aria = (setup: string) => join(setups, `Aria-${setup}-Mon0000-n00.pcap`);
// One Aria (one MAC): C6 (15:41) answers a ping, which C1 (an earlier day) and C9 (16:07) never do; the model
// alone finds C9's window the worst.
const merged = join(dir, 'Aria-C6C9-Mon0000-n00.pcap');
after(() => rmSync(dir, { recursive: true, force: true }));

function evalJson(args: string[], env: Record<string, string> = {}): CaptureResult {
  const r = runCli(['eval', '--json', '--warmup', '0', '--model', role, ...args], { env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n')[0]!) as CaptureResult;
}

describe('own history moving the deciding behaviour window', () => {
  before(() => {
    writeFileSync(merged, concatenatedCaptures([aria('C6'), aria('C9')]));
    const split = `${TEST_DATA}iot-sentinel/dev-split.json`;
    const r = runCli(['train', setups, '--split', split, '--features', 'v2', '--save', role]);
    assert.equal(r.status, 0, r.stderr);
  });

  it("worst_bin, score and reasons are the window history made worst, not the model's", () => {
    const modelAlone = evalJson(['--no-history', merged]).detail!;
    const alone = modelAlone.behavior!;
    const env = { NETWORKML_DATA_DIR: join(dir, 'data') };
    evalJson([aria('C1')], env);
    const res = evalJson([merged], env);
    const b = res.detail!.behavior!;
    // The model alone decides on the second window (C9's); the ping C6 answered is new to this device.
    assert.equal(alone.worst_bin.index, 1);
    assert.match(b.reasons.join('\n'), /incoming icmp type 0 .*never used by this device before/);
    assert.ok(res.detail!.abnormality > modelAlone.abnormality && b.score > alone.score);
    // The reasons are C6's window's: so are worst_bin and its score.
    assert.equal(b.worst_bin.index, 0);
    assert.ok(b.worst_bin.end < alone.worst_bin.start, 'the deciding window ends before C9 starts');
    assert.deepEqual(b.reasons, ['incoming icmp type 0 from 1 peer: never used by this device before']);
    assert.ok(b.novelty > 0 && b.distance !== alone.distance);
  });
});
