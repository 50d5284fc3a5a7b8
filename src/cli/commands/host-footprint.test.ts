import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { corruptPcap } from '../../test-helpers/corrupt-capture.js';
import { TEST_DATA, v068Records } from '../../test-helpers/reference.js';

const SAMPLE = 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap';

describe('networkml with --model host-footprint-v0.6.8', () => {
  it('runs the eval --help example: one row per host', () => {
    const r = runCli(['eval', '--model', 'host-footprint-v0.6.8', '--no-srcmacid', SAMPLE]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.match(rows[0]!, /^CAPTURE\s+MAC\s+IP\s+ROLES \(TOP 3\)\s+INVESTIGATE/);
    assert.equal(rows.length, 1 + 5);
    assert.match(r.stdout, /74:da:38:4a:76:49\s+192\.168\.20\.3\s+Developer workstation 100\.0%/);
  });

  it("prints, per capture and mode, the original's predict.json under data.mac_addresses", () => {
    const records = v068Records();
    for (const mode of ['srcmacid', 'no-srcmacid'] as const) {
      const refs = records.filter((r) => r.mode === mode);
      const paths = refs.map((r) => `${TEST_DATA}reference/captures/${r.pcap}`);
      const args = [
        'eval',
        '--model',
        'host-footprint-v0.6.8',
        '--json',
        ...(mode === 'no-srcmacid' ? ['--no-srcmacid'] : []),
      ];
      const r = runCli([...args, ...paths]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, refs.length);
      lines.forEach((line, i) => {
        const want = refs[i]!.result as { data: { mac_addresses: Record<string, Record<string, unknown>> } };
        assert.equal(line.file, paths[i]);
        assert.equal(line.valid, true);
        // file_path is the path as given (the reference ran on the bare file name); the rest is the original's.
        for (const d of Object.values(want.data.mac_addresses)) d.file_path = paths[i];
        const round = (_k: string, v: unknown): unknown =>
          Array.isArray(v) && typeof v[0] === 'number' ? v.map((x: number) => Math.round(x * 1e9)) : v;
        assert.equal(
          JSON.stringify(line.data, round),
          JSON.stringify(want.data, round),
          `${refs[i]!.pcap} ${mode}`,
        );
      });
    }
  });

  it('runs the explain and inspect --help examples', () => {
    const e = runCli(['explain', '--model', 'host-footprint-v0.6.8', SAMPLE, '--top', '5']);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /host 38:0b:40:ef:85:41: top role Business workstation \(99\.8%\)/);
    assert.equal(e.stdout.split('\n').filter((l) => /^ {4}tshark_/.test(l)).length, 5);
    const i = runCli(['inspect', '--features', 'host-footprint', '--no-srcmacid', SAMPLE]);
    assert.equal(i.status, 0, i.stderr);
    assert.equal(i.stdout.split('\n').filter((l) => /^ {4}tshark_/.test(l)).length, 5 * 221);
    const j = runCli(['inspect', '--features', 'host-footprint', '--json', SAMPLE]);
    const record = JSON.parse(j.stdout) as { hosts: { mac: string; features: Record<string, number> }[] };
    assert.equal(record.hosts.length, 1);
    assert.equal(Object.keys(record.hosts[0]!.features).length, 221);
  });

  it('refuses a corrupt model file with exit 3, and takes a good one by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'networkml-hf-'));
    try {
      const text = readFileSync('models/host-footprint-v0.6.8.json', 'utf8');
      const good = join(dir, 'good.json');
      writeFileSync(good, text);
      const ok = runCli(['eval', '--model', good, '--json', SAMPLE]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(Object.keys(JSON.parse(ok.stdout).data.mac_addresses).length, 1);
      const doc = JSON.parse(text);
      doc.scaler.mean[3] = 1;
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify(doc));
      const r = runCli(['eval', '--model', bad, SAMPLE]);
      assert.equal(r.status, 3);
      assert.equal(r.stderr, `networkml: ${bad}: corrupt model: checksum mismatch\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the v0.4.8 one-layer model the default of plain eval', () => {
    const r = runCli(['eval', '--json', '--no-history', SAMPLE]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.ok(result.data['EdimaxPlug1101W-sentinel-Mon0000-n00'], r.stdout);
  });
  it('names the session, bin and history options it ignores, and gives the same result without them', () => {
    const hf = ['--model', 'host-footprint-v0.6.8'];
    const runs = [
      ['eval', hf, ['--per-host', '--warmup', '5', '--long', '--redis', 'redis://127.0.0.1:1']],
      ['explain', hf, ['--duration', '60']],
      ['inspect', ['--features', 'host-footprint'], ['--warmup', '0', '--public-sessions']],
    ] as const;
    const wants = [
      'networkml: warning: --warmup, --per-host, --long, --redis ignored with a host-footprint model (NetworkML v0.6.8 has no sessions, time bins or device history; --no-srcmacid gives every host)\n',
      'networkml: warning: --duration ignored with a host-footprint model (NetworkML v0.6.8 has no sessions, time bins or device history)\n',
      'networkml: warning: --warmup, --public-sessions ignored with --features host-footprint (NetworkML v0.6.8 has no sessions, time bins or device history)\n',
    ];
    runs.forEach(([command, model, ignored], i) => {
      const plain = runCli([command, ...model, SAMPLE]);
      const r = runCli([command, ...model, ...ignored, SAMPLE]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, wants[i]);
      assert.equal(r.stdout, plain.stdout, command);
      assert.equal(plain.stderr, '');
    });
  });

  it('inspect --features host-footprint names --top as ignored (it shows every value), only when typed', () => {
    const hf = ['inspect', '--features', 'host-footprint', SAMPLE];
    const plain = runCli(hf);
    const r = runCli([...hf, '--top', '3', '--warmup', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      'networkml: warning: --warmup, --top ignored with --features host-footprint (NetworkML v0.6.8 has no sessions, time bins or device history)\n',
    );
    assert.equal(r.stdout, plain.stdout);
    // Readable compat output uses it: no warning there.
    assert.equal(runCli(['inspect', '--top', '3', SAMPLE]).stderr, '');
  });

  it("names the host-footprint options another model ignores (Poseidon's --no-srcmacid without --model)", () => {
    const e = runCli(['eval', '--no-srcmacid', '--csv-chunk-rows', '512', '--no-history', '--json', SAMPLE]);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(
      e.stderr,
      'networkml: warning: --no-srcmacid, --csv-chunk-rows ignored without --model host-footprint-v0.6.8\n',
    );
    const i = runCli(['inspect', '--srcmacid', '--json', SAMPLE]);
    assert.equal(i.stderr, 'networkml: warning: --srcmacid ignored without --features host-footprint\n');
  });
  it('explain warns of a damaged capture as eval does, and its JSON says why a capture has no host', () => {
    const truncated = `${TEST_DATA}captures/edge/truncated-record.pcap`;
    const r = runCli(['explain', '--model', 'host-footprint-v0.6.8', '--top', '1', truncated]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /host 02:00:00:00:00:01: top role/);
    assert.equal(r.stderr, runCli(['eval', '--model', 'host-footprint-v0.6.8', truncated]).stderr);
    assert.match(r.stderr, /^networkml: warning: .*truncated capture/);
    const cooked = `${TEST_DATA}captures/edge/sll.pcap`;
    const j = runCli(['explain', '--model', 'host-footprint-v0.6.8', '--json', cooked]);
    assert.deepEqual(JSON.parse(j.stdout), { file: cooked, hosts: [], note: 'no Ethernet frames' });
  });
});

describe('the host-footprint model on a capture corrupt part-way', () => {
  // Before, eval, inspect and explain with this model gave such a capture no result (only its error), where
  // the other models give the result of the packets before the corrupt record, marked.
  const dir = mkdtempSync(join(tmpdir(), 'networkml-hf-corrupt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const c = corruptPcap(readFileSync(`${TEST_DATA}captures/real/Aria-sentinel-Mon0000-n00.pcap`));
  const corrupt = join(dir, 'aria.pcap');
  writeFileSync(corrupt, c.bytes);
  // The same name in another folder: the records then differ only in the path.
  mkdirSync(join(dir, 'clean'));
  const clean = join(dir, 'clean', 'aria.pcap');
  writeFileSync(clean, c.before);
  const error = `${corrupt}: corrupt record at byte offset ${c.at}: captured length 300000 is absurd`;
  const captureError = { kind: 'corrupt', offset: c.at, message: error };
  const hf = ['--model', 'host-footprint-v0.6.8', '--no-srcmacid'];
  /** A record without what names its capture: the same for the corrupt capture and the clean one. */
  const named = (text: string, path: string) => text.split(path).join('CAPTURE');

  it('eval: the hosts of the packets before it, marked (capture_error, "(partial)"); its error; exit 1', () => {
    const r = runCli(['eval', ...hf, '--json', corrupt]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `networkml: ${error}\n`);
    const { capture_error, ...rest } = JSON.parse(r.stdout);
    assert.deepEqual(capture_error, captureError);
    assert.equal(rest.valid, true);
    const expected = runCli(['eval', ...hf, '--json', clean]);
    assert.equal(expected.status, 0, expected.stderr);
    assert.deepEqual(
      JSON.parse(named(JSON.stringify(rest), corrupt)),
      JSON.parse(named(expected.stdout, clean)),
    );
    const table = runCli(['eval', ...hf, corrupt]);
    assert.equal(table.status, 1);
    assert.equal(table.stderr, `networkml: ${error}\n`);
    const rows = table.stdout.trim().split('\n').slice(1);
    assert.ok(rows.length >= 1);
    for (const row of rows) assert.match(row, /^aria \(partial\) +/);
  });

  it('inspect and explain: the same, marked (capture_error / captureError, a partial line); exit 1', () => {
    const partial = `  partial: only the packets before a corrupt record at byte offset ${c.at} were read\n`;
    for (const [command, key] of [
      ['inspect', 'capture_error'],
      ['explain', 'captureError'],
    ] as const) {
      const args =
        command === 'inspect'
          ? ['inspect', '--features', 'host-footprint', '--no-srcmacid']
          : ['explain', ...hf];
      const json = runCli([...args, '--json', corrupt]);
      assert.equal(json.status, 1, `${command}: ${json.stderr}`);
      assert.equal(json.stderr, `networkml: ${error}\n`);
      const { [key]: mark, ...rest } = JSON.parse(json.stdout);
      assert.deepEqual(mark, captureError, command);
      const expected = runCli([...args, '--json', clean]);
      assert.deepEqual(
        JSON.parse(named(JSON.stringify(rest), corrupt)),
        JSON.parse(named(expected.stdout, clean)),
      );
      const text = runCli([...args, corrupt]);
      assert.equal(text.status, 1);
      assert.equal(text.stderr, `networkml: ${error}\n`);
      assert.ok(text.stdout.split('\n', 2)[1] === partial.trimEnd(), `${command}: ${text.stdout}`);
    }
  });
});
