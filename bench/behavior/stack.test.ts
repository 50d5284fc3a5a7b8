import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyDeviceStack, deviceStackOf } from './stack.js';

const root = resolve(import.meta.dirname, '../..');
// A Windows HMI (initial TTL 128, SYNs with 12 bytes of options) and a raw lab attack from a Linux host
// (TTL 64, 20 bytes): hydra's HTTP guesses from 10.66.0.10 to 10.66.0.20.
const HMI = join(root, 'test-data/roles-dev/S7Client-s7hmi25146c01-Thu1328-n00.pcap');
const HYDRA = join(root, 'test-data/behavior/attacks/cred-hydra-http-40.pcap');
const ATTACKER = { mac: '02:66:00:00:00:10', ip: '10.66.0.10' };

/** tshark's fields per frame, with both checksums verified. */
function fields(path: string, ...names: string[]): string[][] {
  const args = ['-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-T', 'fields'];
  for (const n of names) args.push('-e', n);
  return execFileSync('tshark', args, { encoding: 'utf8' })
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
}

describe("injected frames get the device's own stack", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nml-stack-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("reads the HMI's TTL and SYN options as tshark shows them", () => {
    const hmiPcap = join(tmp, 'hmi.pcap');
    execFileSync('editcap', ['-F', 'pcap', HMI, hmiPcap]);
    const stack = deviceStackOf(hmiPcap, { mac: '00:50:56:34:60:5d', ip: '192.168.25.146' });
    const synRows = execFileSync(
      'tshark',
      [
        '-r',
        HMI,
        '-Y',
        'ip.src==192.168.25.146 && tcp.flags==0x002',
        '-T',
        'fields',
        '-e',
        'ip.ttl',
        '-e',
        'tcp.options',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    assert.ok(synRows.length > 0 && synRows[0] !== '');
    assert.equal(String(stack?.ttl), synRows[0]!.split('\t')[0]);
    assert.equal(stack?.ttl, 128);
    assert.equal(stack?.synOptions?.toString('hex'), synRows[0]!.split('\t')[1]!.replaceAll(':', ''));
    assert.equal(stack?.synOptions?.length, 12);
  });

  it('rewrites TTL and SYN options of the frames the device sent, with valid checksums, and nothing else', () => {
    const stack = { ttl: 128, synOptions: Buffer.from('020405b40103030801010402', 'hex') };
    const out = join(tmp, 'own.pcap');
    const changed = applyDeviceStack(HYDRA, out, ATTACKER, stack);
    const names = [
      'ip.src',
      'ip.ttl',
      'tcp.flags',
      'tcp.hdr_len',
      'tcp.len',
      'ip.checksum.status',
      'tcp.checksum.status',
    ];
    const before = fields(HYDRA, ...names);
    const after = fields(out, ...names);
    assert.equal(after.length, before.length);
    let fromDevice = 0;
    let syns = 0;
    for (let i = 0; i < before.length; i++) {
      const [src, ttl, flags, hdr, len, ipOk, tcpOk] = after[i]!;
      if (src !== ATTACKER.ip) {
        assert.deepEqual(after[i], before[i], `frame ${i + 1} is not the device's and must not change`);
        continue;
      }
      fromDevice++;
      assert.equal(ttl, '128', `frame ${i + 1}`);
      assert.equal(ipOk, '1', `frame ${i + 1}: IP checksum`); // tshark: 0 bad, 1 good, 2 unverified
      if (tcpOk !== '') assert.equal(tcpOk, '1', `frame ${i + 1}: TCP checksum`);
      assert.equal(len, before[i]![4], `frame ${i + 1}: payload length`);
      if (flags === '0x0002') {
        syns++;
        assert.equal(hdr, '32', `frame ${i + 1}: a SYN with the HMI's 12 bytes of options`);
      } else assert.equal(hdr, before[i]![3], `frame ${i + 1}: only bare SYNs get the options`);
    }
    assert.ok(syns >= 1, 'the attack opens connections');
    assert.equal(changed, fromDevice);
  });
});
