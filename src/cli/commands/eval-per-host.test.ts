/**
 * `eval --per-host` on three device captures merged with mergecap: each host's result must be the result of
 * evaluating that host's own traffic, i.e. its own capture, and the merged capture filtered to its MAC.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../test-helpers/cli.js';
import { TEST_DATA } from '../../test-helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'networkml-per-host-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { NETWORKML_DATA_DIR: join(dir, 'data') };
const captures = join(TEST_DATA, 'reference/captures');

interface Line {
  key: string;
  valid: boolean;
  data: Record<string, unknown>;
  detail?: unknown;
}

function evalJson(args: string[], name: string): Line[] {
  const out = join(dir, `${name}.jsonl`);
  const r = runCli(['eval', '--json', ...args, '-o', out], { env, timeoutMs: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

/** What a result says about its device, without the names of the file it came from. */
function answer(line: Line): unknown {
  const device = { ...(line.data[line.key] as Record<string, unknown>) };
  delete device.pcap_labels;
  return { device, detail: line.detail };
}

describe('eval --per-host', () => {
  it("gives each host of a merged capture exactly its own traffic's result", () => {
    const devices = [
      ['EdimaxPlug1101W', '74:da:38:4a:76:49'],
      ['DLinkCam', 'b0:c5:54:25:5b:0e'],
      ['DLinkDayCam', 'b0:c5:54:1c:71:85'],
    ] as const;
    const own = devices.map(([name]) => join(captures, `${name}-sentinel-Mon0000-n00.pcap`));
    const merged = join(dir, 'merged.pcap');
    execFileSync('mergecap', ['-F', 'pcap', '-w', merged, ...own]);

    const hosts = evalJson(['--per-host', merged], 'per-host');
    // The three devices, plus the hosts they talk to (a gateway, workstations) that also send from private IPs.
    for (const [i, [name, mac]] of devices.entries()) {
      const host = hosts.find((h) => h.key === mac);
      assert.ok(host, `${name} (${mac}) not among ${hosts.map((h) => h.key).join(' ')}`);
      assert.equal(host.valid, true);
      const [alone] = evalJson([own[i]!], `own-${name}`);
      const filtered = join(dir, `${name}-filtered.pcap`);
      execFileSync('tcpdump', ['-r', merged, '-w', filtered, `ether host ${mac}`], { stdio: 'ignore' });
      const [viaTcpdump] = evalJson([filtered], `filtered-${name}`);
      assert.deepEqual(answer(host), answer(viaTcpdump!), `${name}: per-host vs tcpdump 'ether host'`);
      assert.deepEqual(answer(host), answer(alone!), `${name}: per-host vs its own capture`);
    }

    // The readable table names the capture each host's row came from (the MAC has its own column).
    const table = runCli(['eval', '--per-host', '--no-history', merged, own[0]!], {
      env,
      timeoutMs: 300_000,
    });
    assert.equal(table.status, 0, table.stderr);
    const rows = table.stdout.trim().split('\n').slice(1);
    // The merged capture's hosts, then the plug's own capture's (the plug and the hosts it talks to).
    assert.ok(rows.length > hosts.length + 1, table.stdout);
    for (const [i, row] of rows.entries()) {
      const [capture, mac] = row.split(/ +/);
      assert.equal(capture, i < hosts.length ? 'merged' : 'EdimaxPlug1101W-sentinel-Mon0000-n00', row);
      if (i < hosts.length) assert.equal(mac, hosts[i]!.key, row);
    }

    // Standard input works the same way (the stream is read twice through a temporary file).
    const fromStdin = runCli(['eval', '--json', '--per-host', '-'], {
      env,
      input: readFileSync(merged),
      timeoutMs: 300_000,
    });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    const stdinLines = fromStdin.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.deepEqual(stdinLines.map(answer), hosts.map(answer));
  });

  it("says why a host has no sessions from its own traffic's span, not the whole capture's", () => {
    const real = join(TEST_DATA, 'captures/real');
    // Aria's traffic spans months; the plug's setup capture 68 s, all inside the 120 s warm-up.
    const merged = join(dir, 'short-host.pcap');
    execFileSync('mergecap', [
      '-F',
      'pcap',
      '-w',
      merged,
      join(real, 'Aria-sentinel-Mon0000-n00.pcap'),
      join(real, 'EdimaxPlug1101W-A1-Mon0000-n00.pcap'),
    ]);
    const plug = evalJson(['--per-host', '--anomaly', 'none', merged], 'short-host').find(
      (h) => h.key === '74:da:38:4a:76:49',
    ) as (Line & { reason?: string }) | undefined;
    assert.equal(plug?.valid, false);
    assert.equal(
      plug?.reason,
      'no sessions after the 120 s warm-up: every address:port pair of this host first appears within it (its traffic spans 68.0 s); --warmup 0 keeps its early sessions',
    );
  });
});
