import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCapture } from '../capture/reader.js';
import { Rng } from '../models/rng.js';
import { analyzeWholeCapture } from '../pipeline/analyze.js';
import { BinStream } from '../sessions/bin-stream.js';
import { TEST_DATA } from '../test-helpers/reference.js';
import { SessionRowAccumulator, VoteTally } from './session-vectors.js';

const captures = `${TEST_DATA}reference/captures`;
const dir = mkdtempSync(join(tmpdir(), 'networkml-session-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The scan the tally keeps up to date: most votes, ties to the first voted, none without a vote (-1). */
function scannedLeader(tally: VoteTally): number {
  let best = -1;
  let bestVotes = 0;
  for (let pair = 0; pair < tally.count; pair++) {
    if (tally.votes(pair) > bestVotes) {
      best = pair;
      bestVotes = tally.votes(pair);
    }
  }
  return best;
}

describe('VoteTally', () => {
  it('names the leader the scan over all votes names, after every vote', () => {
    const rng = new Rng(5);
    for (let run = 0; run < 200; run++) {
      const tally = new VoteTally();
      const addresses = rng.int(1, 4);
      const macs = rng.int(1, 3);
      const seen: string[] = [];
      const sums = new Map<string, number>();
      for (let v = 0; v < 60; v++) {
        // Small counts and zeros, so ties are common.
        const address = rng.int(0, addresses);
        const mac = rng.int(0, macs);
        const n = rng.int(0, 3);
        tally.add(address, mac, n);
        const key = `${address} ${mac}`;
        if (!seen.includes(key)) seen.push(key);
        sums.set(key, (sums.get(key) ?? 0) + n);
        assert.equal(tally.count, seen.length, 'a pair per (address, MAC), in first-vote order');
        for (let pair = 0; pair < tally.count; pair++) assert.equal(tally.votes(pair), sums.get(seen[pair]!));
        const lead = tally.leader();
        assert.equal(lead, scannedLeader(tally), `run ${run} vote ${v}`);
        if (lead >= 0) assert.equal(seen[lead], `${tally.address(lead)} ${tally.mac(lead)}`);
      }
    }
  });
});

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
