import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { analyzeWholeCapture } from '../pipeline/analyze.js';
import { BinStream } from '../sessions/bin-stream.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { SessionRowAccumulator } from './session-vectors.js';

const captures = `${TEST_DATA}reference/captures`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-session-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A capture streamed bin by bin into a row accumulator, then its rows. */
async function streamedRows(path: string, spillRecords: number, maxFollows?: number) {
  const options = { durationS: 60, warmupS: 0 };
  const rows = new SessionRowAccumulator(false, true, { spillRecords, maxFollows });
  const stream = new BinStream(options, (store, bins) => rows.addBin(store, bins));
  await readCapture(path, (p) => stream.add(p));
  stream.finish();
  const got = rows.finish();
  const source = got.rowSource!;
  const out = new Float64Array(source.width);
  const read: number[][] = [];
  for (let i = 0; i < source.length; i++) {
    source.read(i, out);
    read.push([...out]);
  }
  return { sourceIp: got.sourceIp, rows: got.rows.map((r) => [...r]), read };
}

describe("the device's rows built while the capture is read", () => {
  const merged = (name: string, ...devices: string[]) => {
    const out = join(dir, `${name}.pcap`);
    execFileSync('mergecap', ['-F', 'pcap', '-w', out, ...devices.map((d) => `${captures}/${d}`)]);
    return out;
  };
  const paths = () => [
    `${captures}/HueBridge-sentinel-Mon0000-n00.pcap`,
    `${captures}/DLinkCam-sentinel-Mon0000-n00.pcap`,
    // Merges: the vote leader changes while they are read (the rows are built again for the new one).
    merged('wemo-hue', 'WeMoSwitch-sentinel-Mon0000-n00.pcap', 'HueBridge-sentinel-Mon0000-n00.pcap'),
    merged(
      'edimax-wemo',
      'EdimaxPlug1101W-sentinel-Mon0000-n00.pcap',
      'WeMoSwitch-sentinel-Mon0000-n00.pcap',
    ),
  ];
  it('equal the rows finish builds afterwards and the whole-capture rows, in memory and spilled', async () => {
    for (const path of paths()) {
      const whole = await analyzeWholeCapture(path, { durationS: 60, warmupS: 0 });
      const want = whole.sessions.rows.map((r) => [...r]);
      assert.ok(want.length > 100, `${path}: enough rows`);
      // 3 records: the kept sessions spill at once (rows go to a file); 1 << 13: in memory.
      for (const spill of [3, 1 << 13]) {
        for (const follows of [undefined, 0]) {
          const got = await streamedRows(path, spill, follows);
          const what = `${path} spill ${spill} follows ${follows ?? 'default'}`;
          assert.equal(got.sourceIp, whole.sessions.sourceIp, what);
          assert.deepEqual(got.rows, want, what);
          assert.deepEqual(got.read, want, what);
        }
      }
    }
  });
});
