import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkmlError } from '../errors.js';

const MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

function looksLikeCapture(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  return (head[0] === 0x1f && head[1] === 0x8b) || MAGICS.includes(head.readUInt32BE(0));
}

/**
 * Expands the command line's captures: files as given ('-' is standard input), directories to every
 * capture below them (recognised by magic number, in name order). A directory without captures is an error.
 */
export function expandCaptureArgs(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push(arg);
      continue;
    }
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(arg);
    } catch {
      out.push(arg); // the reader reports the missing file in its own words
      continue;
    }
    if (!stat.isDirectory()) {
      out.push(arg);
      continue;
    }
    const found = walk(arg).filter(looksLikeCapture);
    if (found.length === 0) throw new NetworkmlError(`${arg}: no capture files in this directory`);
    out.push(...found);
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
