/**
 * Device history in an embedded SQLite file. WAL lets readers run beside a writer; each record() reads the
 * previous state and writes the new one inside one IMMEDIATE transaction, so concurrent writers (other
 * processes) serialise on the write lock (busy_timeout waits for it) and no update is lost.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ExitCode, errorMessage, NetworkmlError } from '../errors.js';
import {
  buildEntry,
  type DeviceHistory,
  type DeviceSummary,
  type HistoryEntry,
  normaliseMac,
  type UpdateInput,
} from './history.js';
import { pyFloat } from './pyliteral.js';
import { packResult, unpackResult } from './stored-result.js';

const BUSY_TIMEOUT_MS = 30_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS updates (
  mac TEXT NOT NULL,
  time REAL NOT NULL,
  key TEXT NOT NULL,
  representation TEXT NOT NULL,
  current_representation TEXT NOT NULL,
  labels TEXT NOT NULL,
  confidences TEXT NOT NULL,
  other_ips TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  result TEXT,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (mac, time)
) WITHOUT ROWID;
`;

interface Row {
  mac: string;
  time: number;
  representation: string;
  current_representation: string;
  labels: string;
  confidences: string;
  other_ips: string;
  model_hash: string;
  /** JSON text (written by versions before the packed format) or a packed result (stored-result.ts). */
  result: string | Buffer | null;
}

const ENTRY_COLUMNS =
  'mac, time, representation, current_representation, labels, confidences, other_ips, model_hash, result';

function entryOfRow(r: Row): HistoryEntry {
  return {
    mac: r.mac,
    time: r.time,
    representation: JSON.parse(r.representation) as number[],
    current_representation: JSON.parse(r.current_representation) as number[],
    labels: JSON.parse(r.labels) as string[],
    confidences: JSON.parse(r.confidences) as number[],
    other_ips: JSON.parse(r.other_ips) as string[],
    model_hash: r.model_hash,
    result: unpackResult(r.result),
  };
}

function serviceError(path: string, err: unknown): NetworkmlError {
  return new NetworkmlError(`history database ${path}: ${errorMessage(err)}`, ExitCode.SERVICE);
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `setup` again while SQLite says the database is busy, for at most the busy timeout. Turning a database
 * to WAL can fail with SQLITE_BUSY at once, without the busy handler, while another process opens or closes it
 * (seen with two workers opening one history together); it succeeds a few milliseconds later. Each statement
 * of `setup` must be safe to repeat.
 */
function retryWhileBusy(setup: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let delayMs = 5; ; delayMs = Math.min(2 * delayMs, 250)) {
    try {
      setup();
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() + delayMs > deadline) throw err;
      Atomics.wait(sleepCell, 0, 0, delayMs);
    }
  }
}

/**
 * A WAL database opened read-only still creates its -shm (and -wal) file beside it on the first read: in a
 * directory the user may read but not write, that fails (SQLITE_READONLY_DIRECTORY, or SQLITE_CANTOPEN).
 */
function needsSharedMemory(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'))
  );
}

/** Whether a -wal file may hold committed updates the main file lacks (anything past its 32-byte header). */
function walFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 32;
  } catch {
    return false;
  }
}

/**
 * The database read into memory, for reading where SQLite cannot create its WAL files. Only when no -wal file
 * holds frames (checked by the caller): every committed update is then in the main file, so the copy is the
 * whole history (better-sqlite3 is built without URI filenames, so `immutable=1` is not available). The copy's
 * header is marked as a rollback-journal database (bytes 18-19: 1), else SQLite looks for WAL files for it too.
 */
function readSnapshot(path: string): Database.Database {
  const bytes = readFileSync(path);
  if (bytes.length >= 20) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync never returns where mkdir fails with ENOENT under
 * a parent that exists (anywhere under /proc), and a history directory there must be a one-line error, not a hang.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Made meanwhile by another process (a worker of the same service): what was wanted.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export class SqliteHistory implements DeviceHistory {
  private constructor(
    readonly location: string,
    private readonly db: Database.Database | null,
  ) {}

  static open(path: string, options: { readOnly?: boolean } = {}): SqliteHistory {
    if (options.readOnly && !existsSync(path)) return new SqliteHistory(path, null);
    try {
      if (!options.readOnly) makeDirectories(dirname(path));
      const db = new Database(path, { readonly: options.readOnly ?? false, timeout: BUSY_TIMEOUT_MS });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!options.readOnly) {
        try {
          retryWhileBusy(() => {
            db.pragma('journal_mode = WAL');
            db.pragma('synchronous = NORMAL');
            db.exec(SCHEMA);
          });
        } catch (err) {
          db.close();
          throw err;
        }
        return new SqliteHistory(path, db);
      }
      try {
        // The first read is where a WAL database needs its -shm file: find out now, not in the middle of a query.
        db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
      } catch (err) {
        if (!needsSharedMemory(err) || walFrames(path)) throw err;
        db.close();
        return new SqliteHistory(path, readSnapshot(path));
      }
      return new SqliteHistory(path, db);
    } catch (err) {
      throw serviceError(path, err);
    }
  }

  private run<T>(fn: (db: Database.Database) => T, empty: T): T {
    if (!this.db) return empty;
    try {
      return fn(this.db);
    } catch (err) {
      if (err instanceof NetworkmlError) throw err;
      throw serviceError(this.location, err);
    }
  }

  async record(input: UpdateInput): Promise<HistoryEntry> {
    if (!this.db)
      throw new NetworkmlError(`history database ${this.location} is open read-only`, ExitCode.SERVICE);
    const mac = normaliseMac(input.mac);
    // Packed before the write lock is taken: the result does not depend on the stored state.
    let result: Buffer | null = null;
    try {
      if (input.result !== undefined && input.result !== null) result = await packResult(input.result);
    } catch (err) {
      throw serviceError(this.location, err);
    }
    return this.run((db) => {
      // The average continues from this model's own latest update (representations differ between models).
      const previous = db.prepare<[string, number, string], { time: number; representation: string }>(
        'SELECT time, representation FROM updates WHERE mac = ? AND time < ? AND model_hash = ? ORDER BY time DESC LIMIT 1',
      );
      const insert = db.prepare(
        `INSERT OR REPLACE INTO updates (mac, time, key, representation, current_representation, labels,
           confidences, other_ips, model_hash, result, recorded_at)
         VALUES (@mac, @time, @key, @representation, @current_representation, @labels, @confidences, @other_ips,
           @model_hash, @result, @recorded_at)`,
      );
      const tx = db.transaction((): HistoryEntry => {
        const prev = previous.get(mac, input.timestamps[0]!, input.modelHash);
        const entry = buildEntry(
          input,
          prev ? { time: prev.time, representation: JSON.parse(prev.representation) as number[] } : null,
        );
        insert.run({
          mac,
          time: entry.time,
          key: `${mac}_${pyFloat(entry.time)}`,
          representation: JSON.stringify(entry.representation),
          current_representation: JSON.stringify(entry.current_representation),
          labels: JSON.stringify(entry.labels),
          confidences: JSON.stringify(entry.confidences),
          other_ips: JSON.stringify(entry.other_ips),
          model_hash: entry.model_hash,
          result,
          recorded_at: new Date().toISOString(),
        });
        return entry;
      });
      return tx.immediate();
    }, null as never);
  }

  async lastUpdate(mac: string, before?: number): Promise<number | null> {
    return this.run((db) => {
      const row =
        before === undefined
          ? db
              .prepare<[string], { time: number }>('SELECT max(time) AS time FROM updates WHERE mac = ?')
              .get(normaliseMac(mac))
          : db
              .prepare<[string, number], { time: number }>(
                'SELECT max(time) AS time FROM updates WHERE mac = ? AND time < ?',
              )
              .get(normaliseMac(mac), before);
      return row?.time ?? null;
    }, null);
  }

  async list(mac: string): Promise<HistoryEntry[]> {
    return this.run(
      (db) =>
        db
          .prepare<[string], Row>(`SELECT ${ENTRY_COLUMNS} FROM updates WHERE mac = ? ORDER BY time`)
          .all(normaliseMac(mac))
          .map(entryOfRow),
      [],
    );
  }

  async devices(): Promise<DeviceSummary[]> {
    return this.run((db) => {
      const latest = db.prepare<[string, number], Row>(
        `SELECT ${ENTRY_COLUMNS} FROM updates WHERE mac = ? AND time = ?`,
      );
      return db
        .prepare<[], { mac: string; updates: number; first: number; last: number }>(
          'SELECT mac, count(*) AS updates, min(time) AS first, max(time) AS last FROM updates GROUP BY mac ORDER BY mac',
        )
        .all()
        .map((d) => ({
          mac: d.mac,
          updates: d.updates,
          first: d.first,
          latest: entryOfRow(latest.get(d.mac, d.last)!),
        }));
    }, []);
  }

  async forget(mac: string): Promise<number> {
    if (!this.db)
      throw new NetworkmlError(`history database ${this.location} is open read-only`, ExitCode.SERVICE);
    return this.run(
      (db) => db.prepare<[string]>('DELETE FROM updates WHERE mac = ?').run(normaliseMac(mac)).changes,
      0,
    );
  }

  async close(): Promise<void> {
    this.db?.close();
  }
}
