/** `networkml info <capture...> [--json]`: what the reader sees in each capture. */
import type { Command } from 'commander';
import { captureInfo, infoJson, infoText } from '../../capture/info.js';
import { ExitCode, errorMessage, NetworkmlError } from '../../errors.js';
import { expandCaptureArgs } from '../inputs.js';

export interface InfoOptions {
  json?: boolean;
}

/** Writes the report for each capture; returns the exit code (1 if any capture failed). */
export async function runInfo(
  captures: string[],
  options: InfoOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let failed = false;
  let first = true;
  for (const capture of captures) {
    try {
      const info = await captureInfo(capture, {
        onWarning: (w) => err.write(`networkml: warning: ${errorMessage(w.message)}\n`),
      });
      if (options.json) {
        out.write(`${JSON.stringify(infoJson(info))}\n`);
      } else {
        out.write(`${first ? '' : '\n'}${infoText(info)}\n`);
      }
      first = false;
      // What came before a corrupt record is reported above; the capture is still corrupt (exit 1).
      if (info.corrupt !== null) {
        err.write(`networkml: ${info.corrupt.message}\n`);
        failed = true;
      }
    } catch (e) {
      if (!(e instanceof NetworkmlError)) throw e;
      err.write(`networkml: ${errorMessage(e)}\n`);
      failed = true;
    }
  }
  return failed ? ExitCode.BAD_INPUT : ExitCode.OK;
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show format, link types, packet count, time span and protocol counts of captures')
    .argument(
      '<capture...>',
      "pcap or pcapng files, optionally gzip-compressed, or directories of them; '-' reads standard input",
    )
    .option('--json', 'one JSON object per line per capture')
    .addHelpText(
      'after',
      '\nExamples:\n  networkml info data/samples/*.pcap\n  tcpdump -i eth0 -c 1000 -w - | networkml info --json -\n' +
        '\nExit codes: 0 every capture was read; 1 a capture was missing, unreadable, not a capture or corrupt,\n' +
        "or a directory held none (the others are still reported); 2 wrong usage ('-' given twice). A truncated\n" +
        'capture is a warning on stderr, not an error.',
    )
    .action(async (args: string[], options: InfoOptions) => {
      // Directories become the captures below them, as for every command that reads captures; '-' twice is
      // a usage error before anything is read (standard input can be read once).
      const code = await runInfo(expandCaptureArgs(args), options);
      if (code !== ExitCode.OK) process.exitCode = code;
    });
}
