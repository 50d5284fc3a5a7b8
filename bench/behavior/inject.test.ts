import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { identityOf } from './identity.js';
import { attackSpec, type RawAttack, rewrite } from './inject.js';
import { labLeftovers, unicastMacs } from './lab.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
// Raw attacks made by gen-attacks.sh (lab MACs 02:66:00:00:00:xx, 10.66.0.0/24); the credential one cut to its
// first 40 frames. A DLinkCam test setup at 10.10.10.37: the arping loop's dummy host .37 lands on its address.
const ATTACKS = join(root, 'test-data/behavior/attacks');
const DEVICE = join(root, 'test-data/iot-sentinel/setups/DLinkCam-C9-Mon0000-n00.pcap');

function hasTools(): boolean {
  try {
    for (const t of ['tcpdump', 'tcprewrite', 'mergecap', 'editcap'])
      execFileSync('sh', ['-c', `command -v ${t}`]);
    return true;
  } catch {
    return false;
  }
}
const skip = hasTools() ? false : 'tcpdump, tcprewrite, mergecap and editcap are needed (install-tools.sh)';

const attacks = new Map(
  readFileSync(join(ATTACKS, 'index.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RawAttack)
    .map((a) => [a.id, a]),
);

async function tcpdumpText(path: string): Promise<string> {
  return (await run('tcpdump', ['-nn', '-e', '-tt', '-r', path], { maxBuffer: 1 << 26 })).stdout;
}

describe('attack injection leaves nothing of the lab network', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nml-inject-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  async function inject(id: string, role: 'attacker' | 'victim') {
    const a = attacks.get(id)!;
    const dev = identityOf(await tcpdumpText(DEVICE), 'device');
    const raw = join(ATTACKS, a.file.replace(/^attacks\//, ''));
    const spec = attackSpec(raw, a, role, dev, '185.7.8.9', '-10');
    const work = mkdtempSync(join(tmp, `${id}-`));
    const inj = join(work, 'inj.pcap');
    await rewrite(raw, inj, spec, dev.start + 30 - Number((await tcpdumpText(raw)).split(' ')[0]), work);
    const out = join(work, 'out.pcap');
    await run('mergecap', ['-F', 'pcap', '-w', out, DEVICE, inj]);
    return { dev, inj, out, text: await tcpdumpText(out), injText: await tcpdumpText(inj) };
  }

  it('LAN attack: neighbours get one non-lab MAC each, in Ethernet headers and ARP payloads alike', async () => {
    const { dev, out, injText } = await inject('lat-impacket-rpcdump', 'attacker');
    assert.equal(dev.ip, '10.10.10.37');
    assert.deepEqual(labLeftovers(out, dev), {
      frames: labLeftovers(out).frames,
      labMac: 0,
      labIp: 0,
      labIp6: 0,
      deviceIpElsewhere: 0,
    });
    // The victim 10.66.0.20 is now 10.10.10.20, one MAC for all its frames and its ARP reply.
    const victimMacs = new Set<string>();
    for (const l of injText.split('\n')) {
      const m =
        /^\S+ (\S+) > \S+, ethertype IPv4 \(0x0800\), length \d+: 10\.10\.10\.20\.445 > 10\.10\.10\.37\./.exec(
          l,
        );
      if (m) victimMacs.add(m[1]!);
      const arp = /Reply 10\.10\.10\.20 is-at (\S+),/.exec(l);
      if (arp) victimMacs.add(arp[1]!);
    }
    assert.equal(victimMacs.size, 1);
    const [victim] = [...victimMacs];
    assert.notEqual(victim, dev.mac);
    assert.equal(Number.parseInt(victim!.slice(0, 2), 16) & 3, 0, 'globally administered, unicast');
    // Every frame of the attack is the device's: sent or received by its MAC, from or to its IP.
    for (const l of injText.split('\n').filter(Boolean)) assert.match(l, new RegExp(dev.mac));
  });

  it('LAN sweep over the device own address: no lab host answers from it, no lab IPv6', async () => {
    const { dev, out, inj } = await inject('scan-arping-loop', 'attacker');
    const left = labLeftovers(out, dev);
    assert.equal(left.labMac, 0);
    assert.equal(left.labIp, 0);
    assert.equal(left.labIp6, 0);
    assert.equal(left.deviceIpElsewhere, 0);
    // The raw capture has 7 dummy hosts and the victim answering; all of them are neighbours now.
    const macs = unicastMacs(inj);
    macs.delete(dev.mac);
    assert.equal(macs.size, 8);
    for (const m of macs) assert.doesNotMatch(m, /^02:66:00/);
  });

  it('public attack: the peer is the gateway, as before', async () => {
    for (const role of ['attacker', 'victim'] as const) {
      const { dev, out, injText } = await inject('cred-hydra-http', role);
      assert.equal(labLeftovers(out, dev).labMac + labLeftovers(out, dev).labIp, 0);
      const macs = new Set(injText.split('\n').flatMap((l) => /^\S+ (\S+) > (\S+),/.exec(l)?.slice(1) ?? []));
      assert.deepEqual([...macs].sort(), [dev.gwMac, dev.mac].sort());
      assert.match(injText, /185\.7\.8\.9/);
    }
  });

  it('wan attack (many internet peers behind the victim as gateway): all public, all through the gateway', async () => {
    const { dev, out, injText } = await inject('fr-scan-mirai-telnet', 'attacker');
    assert.equal(labLeftovers(out, dev).labMac + labLeftovers(out, dev).labIp, 0);
    const lines = injText.split('\n').filter(Boolean);
    assert.equal(lines.length, 50);
    const macs = new Set(lines.flatMap((l) => /^\S+ (\S+) > (\S+),/.exec(l)?.slice(1) ?? []));
    assert.deepEqual([...macs].sort(), [dev.gwMac, dev.mac].sort());
    // 10.128.0.0/9 took the public peer's first octet: 20 random scan targets and the telnet host, none private.
    const peers = new Set<string>();
    for (const l of lines) {
      const m = /: (\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+)\.\d+:/.exec(l);
      assert.ok(m, l);
      const [src, dst] = [m[1]!, m[2]!];
      assert.ok(src === dev.ip || dst === dev.ip, l);
      const peer = src === dev.ip ? dst : src;
      assert.match(peer, /^185\.128\./);
      peers.add(peer);
    }
    assert.ok(peers.has('185.128.3.7'));
    assert.equal(peers.size, 21);
  });
});
