/**
 * With a behaviour model and device history, services a device never used before raise its windows' scores
 * (applyOwnHistory). When that makes another window than the model's worst the deciding one, the result's
 * behaviour detail must describe that window: the reasons, worst_bin and score of one window, not a mix.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CaptureResult, captureResultSchema, type ValidDeviceResult } from '../../result.js';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';
import { captureHead, concatenatedCaptures } from '../../test-helpers/repeated-capture.js';

const setups = `${TEST_DATA}iot-sentinel/setups`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-own-history-'));
const role = join(dir, 'role.json');
const aria = (setup: string) => join(setups, `Aria-${setup}-Mon0000-n00.pcap`);
// One Aria (one MAC): C6 (2016-09-05) answers a ping, which A1 and A2 (2016-06-09, 13:15 and 13:21) never do; the
// model alone finds A2's window the worst.
const merged = join(dir, 'Aria-A2C6-Mon0000-n00.pcap');
after(() => rmSync(dir, { recursive: true, force: true }));

function evalJson(args: string[], env: Record<string, string> = {}): CaptureResult {
  const r = runCli(['eval', '--json', '--warmup', '0', '--model', role, ...args], { env });
  assert.equal(r.status, 0, r.stderr);
  const raw = JSON.parse(r.stdout.trim().split('\n')[0]!) as CaptureResult;
  // The report and history read results through the schema: it must keep every key eval wrote.
  assert.deepEqual(captureResultSchema.parse(raw), raw);
  return raw;
}

function device(r: CaptureResult): ValidDeviceResult {
  const d = r.data[r.key];
  assert.ok(d && typeof d === 'object' && d.valid, `${r.key} valid`);
  return d;
}

before(() => {
  writeFileSync(merged, concatenatedCaptures([aria('A2'), aria('C6')]));
  // A v2 role model and the behaviour model train writes beside it.
  const split = `${TEST_DATA}iot-sentinel/dev-split.json`;
  const r = runCli(['train', setups, '--split', split, '--features', 'v2', '--save', role]);
  assert.equal(r.status, 0, r.stderr);
});

describe('own history moving the deciding behaviour window', () => {
  it("worst_bin, score and reasons are the window history made worst, not the model's", () => {
    const modelAlone = evalJson(['--no-history', merged]).detail!;
    const alone = modelAlone.behavior!;
    const env = { NETWORKML_DATA_DIR: join(dir, 'data') };
    evalJson([aria('A1')], env);
    const res = evalJson([merged], env);
    const b = res.detail!.behavior!;
    // The model alone decides on the first window (A2's); the ping C6 answered is new to this device.
    assert.equal(alone.worst_bin.index, 0);
    assert.match(b.reasons.join('\n'), /incoming icmp type 0 .*never used by this device before/);
    assert.ok(res.detail!.abnormality > modelAlone.abnormality && b.score > alone.score);
    // The reasons are C6's window's: so are worst_bin and its score.
    assert.equal(b.worst_bin.index, 1);
    assert.ok(b.worst_bin.start > alone.worst_bin.end, 'the deciding window starts after A2 ends');
    assert.deepEqual(b.reasons, ['incoming icmp type 0 from 1 peer: never used by this device before']);
    assert.ok(b.novelty > 0 && b.distance !== alone.distance);
    // Evaluated together on worker threads (which send only what the history may need of each window), the
    // merged capture is described alike, its types too.
    const together = runCli(
      ['eval', '--json', '--warmup', '0', '--threads', '2', '--model', role, aria('A1'), merged],
      {
        env: { NETWORKML_DATA_DIR: join(dir, 'data-together') },
      },
    );
    assert.equal(together.status, 0, together.stderr);
    const last = JSON.parse(together.stdout.trim().split('\n')[1]!) as CaptureResult;
    assert.deepEqual(last.detail!.behavior, b);
  });
});

describe('captures of one device evaluated together', () => {
  it('are judged against the updates before them in time, however their files are named or listed', () => {
    // An Aria on 2016-09-05 (C6), and the same Aria 18 days earlier (C1), named so that the later sorts first.
    const named = join(dir, 'out-of-order');
    mkdirSync(named);
    symlinkSync(aria('C6'), join(named, 'a.pcap'));
    symlinkSync(aria('C1'), join(named, 'b.pcap'));
    const decisions = (args: string[]) => {
      const env = { NETWORKML_DATA_DIR: mkdtempSync(join(dir, 'data-')) };
      const r = runCli(['eval', '--json', '--warmup', '0', '--model', role, ...args], { env });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as CaptureResult)
        .map((c) => ({ key: c.key, ...device(c).decisions, abnormality: c.detail!.abnormality }));
    };
    const inTime = decisions([join(named, 'b.pcap'), join(named, 'a.pcap')]);
    // C6 comes more than a day after the device's previous update: investigate.
    assert.equal(inTime[1]!.investigate, true);
    // Listed newest first (the directory's order), results keep that order but the decisions are the same.
    assert.deepEqual(decisions([named]), [inTime[1], inTime[0]]);
    assert.deepEqual(decisions(['--threads', '1', named]), [inTime[1], inTime[0]]);
  });
});

describe('report of captures', () => {
  it("reads the history eval keeps, never writes it: its investigate is eval's; --no-history the model's alone", () => {
    const env = { NETWORKML_DATA_DIR: mkdtempSync(join(dir, 'data-')) };
    // The Aria 18 days before (C1) is in the history: C6 is then a device back after more than a day.
    const earlier = runCli(['eval', '--warmup', '0', '--model', role, aria('C1')], { env });
    assert.equal(earlier.status, 0, earlier.stderr);
    const page = (extra: string[]) => {
      const r = runCli(['report', '--warmup', '0', '--model', role, ...extra, aria('C6'), '-o', '-'], {
        env,
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const investigated = (html: string) => Number(/<b>(\d+)<\/b> to investigate/.exec(html)![1]);
    assert.equal(investigated(page([])), 1);
    assert.equal(investigated(page(['--no-history'])), 0);
    // Read, not written: the history still holds C1 alone, and eval of C6 decides as the report showed.
    const listed = runCli(['history', '--json', '20:f8:5e:ca:91:52'], { env });
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as { updates: unknown[] }).updates.length, 1);
    assert.equal(device(evalJson([aria('C6')], env)).decisions.investigate, true);
  });
});

describe('evaluating a capture again', () => {
  it('says so when the update it replaces was abnormal and this one is not', () => {
    const env = { NETWORKML_DATA_DIR: mkdtempSync(join(dir, 'data-')) };
    const scan = `${TEST_DATA}behavior/Aria-C9scan-Mon0000-n00.pcap`;
    const run = (extra: string[]) => {
      const r = runCli(['eval', '--model', role, ...extra, scan], { env });
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    assert.match(run([]).stdout, /abnormal \(1\.00\)/);
    const again = run(['--anomaly', 'none']);
    assert.match(
      again.stderr,
      /history: this result replaces the device's earlier update of the same time, which was abnormal \(1\.00\);/,
    );
    // One update per device and time: the abnormal one is gone, as the warning said; nothing more to say.
    assert.doesNotMatch(run(['--anomaly', 'none']).stderr, /replaces/);
    const listed = runCli(['history', '--json', '20:f8:5e:ca:91:52'], { env });
    assert.equal((JSON.parse(listed.stdout) as { updates: unknown[] }).updates.length, 1);
  });
});

describe('a capture too small to judge', () => {
  it("is behaviour unknown with a note, measured against its maker's smallest normal capture; the whole is judged", () => {
    const whole = join(setups, 'HueBridge-C11-Mon0000-n00.pcap');
    const first30 = join(dir, 'HueBridge-C11first30-Mon0000-n00.pcap');
    writeFileSync(first30, captureHead(whole, 30));
    const fragment = evalJson(['--no-history', first30]);
    assert.equal(device(fragment).decisions.behavior, 'unknown');
    assert.match(
      fragment.detail!.abnormality_note!,
      /^too little traffic to judge: \d+ packets of the device in a capture of [\d.]+ s, where the smallest normal capture of the types of the training devices with its MAC vendor prefix 00:17:88 had \d+ \(a capture needs at least \d+, 25 % of that, or a capture of 5 min/,
    );
    assert.equal(device(evalJson(['--no-history', whole])).decisions.behavior, 'normal');
    // The same packets with the last one 6 minutes later: as quiet while a whole window was watched, judged.
    const quiet = join(dir, 'HueBridge-C11quiet-Mon0000-n00.pcap');
    writeFileSync(quiet, withLastRecordLater(captureHead(whole, 30), 360));
    const judged = evalJson(['--no-history', quiet]);
    assert.notEqual(device(judged).decisions.behavior, 'unknown');
    assert.equal(judged.detail!.abnormality_note, undefined);
  });
});

/** A little-endian pcap with its last record's time moved `seconds` later. */
function withLastRecordLater(pcap: Buffer, seconds: number): Buffer {
  assert.equal(pcap.readUInt32LE(0), 0xa1b2c3d4);
  let at = 24;
  let last = at;
  while (at < pcap.length) {
    last = at;
    at += 16 + pcap.readUInt32LE(at + 8);
  }
  const out = Buffer.from(pcap);
  out.writeUInt32LE(out.readUInt32LE(last) + seconds, last);
  return out;
}
