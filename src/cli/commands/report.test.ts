import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ExitCode, NetworkmlError } from '../../errors.js';
import { runCli } from '../../test-helpers/cli.js';
import { corruptPcap } from '../../test-helpers/corrupt-capture.js';
import { TEST_DATA } from '../../test-helpers/reference.js';
import { type ReportOptions, registerReport, runReport } from './report.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(root, 'test-data/results');
const devices = join(fixtures, 'devices.jsonl');
const testReport = join(fixtures, 'test-report.json');
const work = mkdtempSync(join(tmpdir(), 'networkml-report-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Collects what a command writes to one of its streams. */
function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const deps = { now: () => new Date(Date.UTC(2024, 4, 1)) };

function run(inputs: string[], output: string, extra: Partial<ReportOptions> = {}) {
  const out = sink();
  const err = sink();
  const code = runReport(inputs, { output, threads: '1', ...extra }, deps, out.stream, err.stream);
  return { code, out, err };
}

describe('networkml report', () => {
  test('writes one HTML file from eval lines and a test report, leaving no temporary file', async () => {
    const output = join(work, 'ok.html');
    const { code, err } = run([devices, testReport], output);
    assert.equal(await code, ExitCode.OK);
    assert.equal(err.text(), '');
    const html = readFileSync(output, 'utf8');
    assert.match(html, /BusinessWorkstation-2019-10-09-1000/);
    assert.match(html, /3f9e1a7b2c4d/);
    assert.match(html, /Test results: .*test-report\.json/);
    assert.match(html, /Generated 2024-05-01T00:00:00\.000Z/);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  test("evaluates captures and directories of captures with the real models, with eval's options", async () => {
    const dir = join(work, 'captures');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const reference = join(root, 'test-data/reference/captures');
    copyFileSync(
      join(reference, 'iKettle2-sentinel-Mon0000-n00.pcap'),
      join(dir, 'iKettle2-sentinel-Mon0000-n00.pcap'),
    );
    copyFileSync(
      join(reference, 'Aria-sentinel-Mon0000-n00.pcap'),
      join(dir, 'sub', 'Aria-sentinel-Mon0000-n00.pcap'),
    );
    copyFileSync(join(root, 'test-data/captures/edge/absurd-caplen.pcap'), join(dir, 'broken.pcap'));
    writeFileSync(join(dir, 'notes.txt'), 'not a capture\n');
    const output = join(work, 'captures.html');
    const { code, err } = run([dir], output, { anomaly: 'none' });
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.match(err.text(), /^networkml: .*broken\.pcap: [^\n]+\n$/);
    const html = readFileSync(output, 'utf8');
    assert.match(html, /data-key="iKettle2-sentinel-Mon0000-n00"/);
    assert.match(html, /data-key="Aria-sentinel-Mon0000-n00"/);
    assert.match(html, /10\.10\.10\.123/, "Aria's address, found by the real evaluation");
    assert.doesNotMatch(html, /notes\.txt/);
  });

  test('says why a capture has no result and what its reader warned about, as eval does', async () => {
    const dir = join(work, 'warned');
    mkdirSync(dir);
    const aria = readFileSync(join(root, 'test-data/reference/captures/Aria-sentinel-Mon0000-n00.pcap'));
    const cut = join(dir, 'Aria-cut.pcap');
    writeFileSync(cut, aria.subarray(0, aria.length - 100));
    const kettle = join(root, 'test-data/reference/captures/iKettle2-sentinel-Mon0000-n00.pcap');
    const output = join(work, 'warned.html');
    const { code, err } = run([cut, kettle], output, { anomaly: 'none' });
    assert.equal(await code, ExitCode.OK);
    assert.match(err.text(), /^networkml: warning: [^\n]*Aria-cut\.pcap: truncated capture: [^\n]+\n$/);
    const warning = err.text().trim().replace('networkml: warning: ', '');
    const html = readFileSync(output, 'utf8');
    const row = (key: string) =>
      html.match(new RegExp(`<tr[^>]* data-key="${key}"[\\s\\S]*?</tr>`))?.[0] ?? '';
    assert.ok(row('Aria-cut').includes(warning), row('Aria-cut'));
    assert.match(
      row('iKettle2-sentinel-Mon0000-n00'),
      /no sessions after the 120 s warm-up: every address:port pair first appears within it \(the capture spans [^)]+\); --warmup 0 keeps its early sessions/,
    );
  });

  test('a bad input is one line on stderr; the others still make the report; exit 1', async () => {
    const bad = join(work, 'bad.jsonl');
    writeFileSync(bad, '{"file": "x.pcap"\n');
    const shape = join(work, 'shape.json');
    writeFileSync(shape, JSON.stringify({ file: 'x.pcap', key: 'x', valid: 'yes', data: {} }));
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify({ foo: 1 }));
    const output = join(work, 'partial.html');
    const { code, err } = run([bad, shape, other, devices, join(work, 'missing.json')], output);
    assert.equal(await code, ExitCode.BAD_INPUT);
    const lines = err.text().trimEnd().split('\n');
    assert.deepEqual(lines, [
      `networkml: ${bad}:1: not JSON (expected eval --json lines or a test report)`,
      `networkml: ${shape}: not a capture result or test report (valid: Invalid input: expected boolean, received string)`,
      `networkml: ${other}: not a capture result (eval --json) or test report (test --json): it has none of their fields ("file", "key", "data")`,
      `networkml: ${join(work, 'missing.json')}: no such file`,
    ]);
    assert.ok(existsSync(output));
  });

  test('the page itself lists every input it skipped and why, as text', async () => {
    const bad = join(work, '<b>bad.jsonl');
    writeFileSync(bad, '{"file": "x.pcap"\n');
    const broken = join(work, '<i onmouseover=x>broken.pcap');
    // Corrupt before any packet: nothing of it to show (one corrupt part-way is shown marked: below).
    copyFileSync(join(root, 'test-data/captures/edge/block-length-odd.pcapng'), broken);
    const output = join(work, 'skipped.html');
    const { code, err } = run([devices, bad, broken], output, { anomaly: 'none' });
    assert.equal(await code, ExitCode.BAD_INPUT);
    const reasons = err
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/^networkml: /, ''));
    assert.equal(reasons.length, 2);
    const html = readFileSync(output, 'utf8');
    const section = html.match(/<section id="skipped">[\s\S]*?<\/section>/)?.[0] ?? '';
    assert.match(section, /2 inputs skipped/);
    for (const reason of reasons) {
      const escaped = reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      assert.ok(section.includes(`<li>${escaped}</li>`), `${reason} listed in ${section}`);
    }
    assert.doesNotMatch(html, /<b>bad|<i>broken/);
  });

  test('a capture corrupt part-way: its packets before the corrupt record shown, marked partial; its error; exit 1', async () => {
    // Before, it was left out as an input the report could not use, where eval gives that partial result.
    const c = corruptPcap(readFileSync(join(root, 'test-data/captures/real/Aria-sentinel-Mon0000-n00.pcap')));
    const corrupt = join(work, 'Aria-X1-Mon0000-n00.pcap');
    writeFileSync(corrupt, c.bytes);
    const output = join(work, 'corrupt.html');
    const { code, err } = run([corrupt], output, { anomaly: 'none' });
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.equal(
      err.text(),
      `networkml: ${corrupt}: corrupt record at byte offset ${c.at}: captured length 300000 is absurd\n`,
    );
    const html = readFileSync(output, 'utf8');
    const row = html.match(/<tr[^>]* data-key="Aria-X1-Mon0000-n00"[\s\S]*?<\/tr>/)?.[0] ?? '';
    assert.ok(
      row.includes(`partial: only the packets before a corrupt record at byte offset ${c.at} were read`),
      row,
    );
    assert.doesNotMatch(row, /class="invalid"/);
    assert.doesNotMatch(html, /<section id="skipped">/);
  });

  test('JSON lines with a cut-off last line (an interrupted eval) or a stray line: the other lines are used', async () => {
    const lines = readFileSync(devices, 'utf8').trimEnd().split('\n');
    const cut = join(work, 'interrupted.jsonl');
    writeFileSync(cut, `${lines.join('\n')}\n${lines[0]!.slice(0, 120)}`);
    const stray = join(work, 'stray.jsonl');
    writeFileSync(stray, `${lines[0]}\n{"hello": 1}\n${lines[1]}\nnot json\n`);
    const output = join(work, 'lines.html');
    const { code, err } = run([cut, stray], output);
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.deepEqual(err.text().trimEnd().split('\n'), [
      `networkml: ${cut}:${lines.length + 1}: not JSON (expected eval --json lines or a test report); line skipped, the file's ${lines.length} other lines used`,
      `networkml: ${stray}:2: not a capture result (eval --json) or test report (test --json): it has none of their fields ("file", "key", "data"); 2 lines skipped (the first here), the file's 2 other lines used`,
    ]);
    const html = readFileSync(output, 'utf8');
    assert.equal(html.match(/<tr data-key=|<tr class="invalid" data-key=/g)?.length, lines.length + 2);
  });

  test('watch --json updates are refused in one line that says what to run instead', async () => {
    const updates = join(work, 'updates.jsonl');
    const watched = runCli([
      'watch',
      '--json',
      '-o',
      updates,
      `${TEST_DATA}reference/captures/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap`,
    ]);
    assert.equal(watched.status, 0, watched.stderr);
    const output = join(work, 'watch.html');
    const { code, err } = run([updates], output);
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.equal(
      err.text(),
      `networkml: ${updates}:1: a watch --json update (one host, one bin), not a capture result: report reads eval --json results and test --json reports; run eval --json on the capture\n`,
    );
    assert.ok(!existsSync(output));
  });

  test('a model file given as an input is refused as such, with where models go', async () => {
    const model = join(root, 'models/onelayer-v0.4.8.json');
    const output = join(work, 'model-input.html');
    const { code, err } = run([model], output);
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.equal(
      err.text(),
      `networkml: ${model}: a networkml model file (onelayer), not results: give a role model with --model, a behaviour or other anomaly model with --anomaly-model, and captures or eval --json results as inputs\n`,
    );
    assert.ok(!existsSync(output));
  });

  test('results saved under another name (eval --json > results.txt) are read as results, not as a capture', async () => {
    const saved = join(work, 'results.txt');
    copyFileSync(devices, saved);
    const output = join(work, 'txt.html');
    const evaluate = () => Promise.reject(new Error('must not evaluate'));
    const err = sink();
    const code = await runReport([saved], { output }, { ...deps, evaluate }, sink().stream, err.stream);
    assert.equal(err.text(), '');
    assert.equal(code, ExitCode.OK);
    assert.match(readFileSync(output, 'utf8'), /data-key="BusinessWorkstation-2019-10-09-1000"/);
  });

  test('writes nothing when no input gave a result', async () => {
    const empty = join(work, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const output = join(work, 'none.html');
    const { code, err } = run([empty], output);
    assert.equal(await code, ExitCode.BAD_INPUT);
    assert.equal(err.text(), `networkml: ${empty}: no results in this file\n`);
    assert.equal(existsSync(output), false);
  });

  test('an unwritable output is a one-line error and leaves no temporary file', async () => {
    const output = join(work, 'no-such-dir', 'r.html');
    await assert.rejects(run([devices], output).code, (e: unknown) => {
      assert.ok(e instanceof NetworkmlError);
      assert.equal(e.message, `${output}: cannot write: its folder does not exist`);
      return true;
    });
  });

  test('an output path that cannot be written is one line and exit 1, before any work', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const loop = join(work, 'loop');
    symlinkSync(loop, loop);
    for (const [output, why] of [
      [join(file, 'x.html'), 'a part of the path is not a folder'],
      [join(loop, 'x.html'), 'too many levels of symbolic links'],
      [join(work, 'n'.repeat(256)), 'the name is too long'],
    ] as const) {
      await assert.rejects(run([devices], output).code, (e: unknown) => {
        assert.ok(e instanceof NetworkmlError, String(e));
        assert.equal(e.exitCode, ExitCode.BAD_INPUT);
        assert.equal(e.message, `${output}: cannot write: ${why}`);
        return true;
      });
    }
  });

  test('refuses to write the page over one of its inputs (exit 2)', async () => {
    const input = join(work, 'input.jsonl');
    copyFileSync(devices, input);
    await assert.rejects(run([input], input).code, (e: unknown) => {
      assert.ok(e instanceof NetworkmlError);
      assert.equal(e.exitCode, ExitCode.USAGE);
      assert.match(e.message, /is also an input/);
      return true;
    });
    assert.deepEqual(readFileSync(input), readFileSync(devices));
  });

  test('a model it cannot use is refused once, up front, exit 3', async () => {
    const capture = join(root, 'data/samples/EdimaxPlug1101W-sentinel-Mon0000-n00.pcap');
    const junk = join(work, 'junk.json');
    writeFileSync(junk, 'junk');
    for (const model of ['host-footprint-v0.6.8', join(work, 'missing.json'), junk]) {
      const evaluate = () => Promise.reject(new Error('must not evaluate'));
      const err = sink();
      const code = runReport(
        [capture, capture, capture],
        { output: join(work, 'model.html'), model },
        { ...deps, evaluate },
        sink().stream,
        err.stream,
      );
      await assert.rejects(
        code,
        (e: unknown) => e instanceof NetworkmlError && e.exitCode === ExitCode.BAD_MODEL,
      );
      assert.equal(err.text(), '');
    }
    const program = new Command('networkml');
    registerReport(program, deps);
    assert.doesNotMatch(program.commands[0]!.helpInformation(), /host-footprint/);
  });

  test("'-o -' writes the page to standard output; test reports are recognised inside JSON lines", async () => {
    const mixed = join(work, 'mixed.jsonl');
    const report = JSON.stringify(JSON.parse(readFileSync(testReport, 'utf8')));
    writeFileSync(mixed, `${readFileSync(devices, 'utf8')}${report}\n{"data": ""}\n`);
    const { code, out } = run([mixed], '-');
    assert.equal(await code, ExitCode.OK);
    assert.match(out.text(), /^<!DOCTYPE html>/);
    assert.match(out.text(), /mixed\.jsonl #1/);
    assert.equal(out.text().match(/<tr data-key=|<tr class="invalid" data-key=/g)?.length, 3);
  });

  test("'-' given twice is a usage error (exit 2), as for eval, before anything is read or written", async () => {
    const output = join(work, 'stdin-twice.html');
    let reads = 0;
    const readStdin = () => {
      reads++;
      return Promise.resolve(readFileSync(devices, 'utf8'));
    };
    await assert.rejects(
      runReport(['-', devices, '-'], { output }, { ...deps, readStdin }, sink().stream, sink().stream),
      (e: unknown) => {
        assert.ok(e instanceof NetworkmlError);
        assert.equal(e.exitCode, ExitCode.USAGE);
        assert.equal(
          e.message,
          "'-' (standard input) is given more than once: standard input can be read only once",
        );
        return true;
      },
    );
    assert.equal(reads, 0);
    assert.equal(existsSync(output), false);
  });

  test('is registered as a command with its options', async () => {
    const output = join(work, 'cli.html');
    const program = new Command('networkml').exitOverride();
    registerReport(program, deps);
    await program.parseAsync(['report', devices, '-o', output, '--title', 'Lab <net>', '--anomaly', 'none'], {
      from: 'user',
    });
    assert.match(readFileSync(output, 'utf8'), /<title>Lab &lt;net&gt;<\/title>/);
  });
});
