import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  captureInfo,
  emptyProtocolCounts,
  epochString,
  infoJson,
  infoText,
  type ProtocolCounts,
} from './info.js';

const DATA = join(import.meta.dirname, '../../test-data/captures');

/** Per-protocol frame counts from tshark's frame.protocols, by the same definitions as ours. */
function tsharkCounts(file: string): ProtocolCounts {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-n',
      '-o',
      'ip.defragment:FALSE',
      '-o',
      'ipv6.defragment:FALSE',
      '-T',
      'fields',
      '-e',
      'frame.protocols',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const c = emptyProtocolCounts();
  for (const line of out.split('\n').filter((l) => l !== '')) {
    const t = line.split(':');
    if (t[0] === 'eth') c.ethernet++;
    if (t.includes('vlan') || t.includes('ieee8021ad')) c.vlan++;
    const ip = t.findIndex((x) => x === 'ip' || x === 'ipv6');
    if (ip >= 0) {
      if (t[ip] === 'ip') c.ipv4++;
      else c.ipv6++;
      // The first transport after the outer IP header (an ICMP error's quoted header does not count).
      const l4 = t.slice(ip).find((x) => x === 'tcp' || x === 'udp' || x === 'icmp' || x === 'icmpv6');
      if (l4 !== undefined) c[l4 as 'tcp']++;
    } else if (t.includes('arp')) c.arp++;
    else c.other++;
  }
  return c;
}

describe('captureInfo', () => {
  const files = [
    ...readdirSync(join(DATA, 'real')).map((f) => join(DATA, 'real', f)),
    ...['zoo-le-us.pcap', 'multi-section.pcapng', 'sll2.pcap', 'real-be.pcapng.gz'].map((f) =>
      join(DATA, 'edge', f),
    ),
  ];
  for (const file of files) {
    it(`counts protocols of ${file.slice(DATA.length + 1)} as tshark does`, async () => {
      const info = await captureInfo(file);
      assert.deepEqual(info.protocols, tsharkCounts(file));
    });
  }

  it('counts packets and their bytes on the wire as tshark -z io,stat,0 does, and says which bytes are which', async () => {
    for (const file of [
      ...files,
      join(DATA, 'edge/unsupported-link.pcap'),
      join(DATA, 'edge/snaplen-cut.pcap'),
    ]) {
      const out = execFileSync('tshark', ['-r', file, '-q', '-z', 'io,stat,0'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [, frames, bytes] = /<>[^|]*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/.exec(out) ?? [];
      const info = await captureInfo(file);
      assert.deepEqual(
        [info.summary.packets, info.summary.frameBytes],
        [Number(frames), Number(bytes)],
        file,
      );
      assert.equal(infoJson(info).frameBytes, Number(bytes));
    }
    const gz = await captureInfo(join(DATA, 'edge/zoo.pcap.gz'));
    assert.match(
      infoText(gz),
      /^Bytes: +1959 in the capture \(decompressed\), 1647 in its packets on the wire$/m,
    );
  });

  it('summarises time span, duration and formats', async () => {
    const info = await captureInfo(join(DATA, 'real/trace_ab12_2001-01-01_02_03-client-ip6-1-2-3-4.pcap'));
    assert.equal(info.summary.packets, 290);
    assert.equal(epochString(info.summary.firstTime!), '1579736376.152412000');
    assert.equal(epochString(info.summary.lastTime!), '1579736655.678467000');
    assert.equal(info.durationSec.toFixed(6), '279.526055');
    const j = infoJson(info);
    assert.equal(j.format, 'pcap');
    assert.equal(j.firstTime, '1579736376.152412000');
    const text = infoText(info);
    assert.match(text, /^Packets: +290$/m);
    assert.match(text, /First packet: +2020-01-22T23:39:36\.152412000Z/);
    assert.match(text, /Link types: +1 \(Ethernet\)/);
  });

  it('counts an unsupported link type as other', async () => {
    const info = await captureInfo(join(DATA, 'edge/unsupported-link.pcap'));
    assert.equal(info.protocols.other, 2);
    assert.match(infoText(info), /2 of an unsupported link type/);
  });
});
