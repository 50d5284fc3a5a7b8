/**
 * A benchmark split whose training set has sibling types: types that headers cannot tell apart, as IoT
 * Sentinel's full set has (TP-Link HS100 / HS110, Edimax 1101W / 2101W, seven D-Link types). Every second
 * training capture of each named type (in manifest order) is relabelled <Type>B, so each type becomes two
 * labels of one maker whose captures are alike; test captures are untouched.
 *   npx tsx bench/behavior/siblings.ts --manifest SPLIT/manifest.json --out DIR [--types WeMoSwitch,EdimaxPlug1101W,DLinkCam]
 * Writes DIR/train/ (symlinks under the new names) and DIR/manifest.json (train paths pointing there), for
 *   npx tsx bench/behavior/score.ts --manifest DIR/manifest.json --work W --methods behavior
 * which trains the role and behaviour models on the relabelled captures.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  if (v === undefined) {
    process.stderr.write(`siblings: --${name} is required\n`);
    process.exit(2);
  }
  return v;
}

interface Entry {
  split: string;
  path: string;
}

const manifest = JSON.parse(readFileSync(arg('manifest'), 'utf8')) as { entries: Entry[] };
const out = resolve(arg('out'));
const types = new Set(arg('types', 'WeMoSwitch,EdimaxPlug1101W,DLinkCam').split(','));
mkdirSync(join(out, 'train'), { recursive: true });
const seen = new Map<string, number>();
for (const e of manifest.entries) {
  if (e.split !== 'train') continue;
  let name = basename(e.path);
  const type = name.split('-')[0]!;
  if (types.has(type)) {
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    if (n % 2 === 0) name = `${type}B${name.slice(type.length)}`;
  }
  const link = join(out, 'train', name);
  if (!existsSync(link)) symlinkSync(e.path, link);
  e.path = link;
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
process.stdout.write(
  `siblings: ${[...seen].map(([t, n]) => `${t} ${n} → ${Math.ceil(n / 2)} + ${Math.floor(n / 2)}`).join(', ')}; ${out}/manifest.json\n`,
);
