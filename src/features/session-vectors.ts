import { closeSync } from 'node:fs';
import { lazyArray } from '../lazy-array.js';
import type { Bins } from '../sessions/bins.js';
import type { PacketStore } from '../sessions/packet-store.js';
import {
  type CaptureSource,
  COMPAT_UDP_PROTO,
  hostAddresses,
  inferCaptureSource,
  mostVotedAddresses,
} from './compat.js';
import { MacIds } from './mac-ids.js';
import { type SharedRows, sharePackedRows } from './shared-rows.js';
import { closeWhenCollected, openUnlinkedFile, readAt, writeAt } from './spill-file.js';
import { TextIds } from './text-ids.js';
import { type VotePairs, VoteTally } from './votes.js';

/** 11 session values, then 15 source-port and 15 destination-port one-hots (always zero: quirk). */
export const SESSION_VECTOR_LENGTH = 41;

/** The ports of the one-hots the original meant to set (REFERENCE.md §6). */
export const SESSION_VECTOR_PORTS = [
  22, 53, 67, 68, 80, 88, 123, 135, 137, 138, 192, 389, 443, 445, 514,
] as const;

function pythonSeconds(us: number): number {
  return Math.floor(us / 1e6) + (us % 1e6) / 1e6;
}

export interface SessionVectors {
  /** The capture address inferred over all bins at once, or null. */
  sourceIp: string | null;
  /**
   * The address a host's MAC was seen with most over all bins (mostVotedAddresses), or null: a v2 device's
   * address, which the capture address need not be (a host can outvote the device, as a broadcast address
   * can). Absent where only one host's sessions were taken.
   */
  addressOf?(mac: string): string | null;
  /**
   * One 41-value row per session that involves the source address, in bin then session order. Rows of a
   * long capture are read back from a temporary file a chunk at a time: a row read from it may be
   * overwritten once a row of another chunk is read, so copy what you keep (the LSTM reads them in order).
   */
  rows: Float64Array[];
  /**
   * The same rows read into a caller's buffer, no array (or view) per row: the LSTM reads millions of a
   * long capture's rows, and a short-lived object each filled the heap. Set by the streamed analysis.
   */
  rowSource?: {
    readonly length: number;
    readonly width: number;
    read(i: number, out: Float64Array): void;
    /** The same rows as a worker thread can read them (the LSTM scores a long capture on two threads). */
    share(): SharedRows;
  };
  /**
   * The work given to the streamed analysis to do while reading (AnalyzeOptions.whileReading), set only
   * when it ran on these very rows (not when the capture had to be read again whole).
   */
  whileRead?: RowWork;
}

/**
 * The per-session inputs of the anomaly model (REFERENCE.md §6 steps 2–3). "First" and "second" MAC
 * are the session's creating packet's source and destination MAC; rates are packets per second of the
 * session's span (a zero span counts as 1 s), and 1 for a one-packet session. The port one-hots stay zero
 * because the original compared port text with numbers.
 */
export function sessionVectors(
  store: PacketStore,
  bins: Bins,
  countPublic = false,
  /** Per-host mode: the host's address id instead of the inferred capture source. */
  sourceAddress = -1,
): SessionVectors {
  const { sessions } = bins;
  const votes = new VoteTally();
  const source =
    sourceAddress >= 0
      ? { address: sourceAddress }
      : inferCaptureSource(store, bins, 0, sessions.count, countPublic, votes);
  const addressOf = sourceAddress >= 0 ? undefined : addressOfMac(store, votes);
  if (source.address < 0) return { sourceIp: null, rows: [], addressOf };
  const { endpoints } = store;
  const rows: Float64Array[] = [];
  for (let s = 0; s < sessions.count; s++) {
    const p = sessions.firstPacket.data[s]!;
    if (!store.parseable.data[p]) continue;
    const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
    const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
    if (a1 !== source.address && a2 !== source.address) continue;
    const row = new Float64Array(SESSION_VECTOR_LENGTH);
    row[0] = a1 === source.address ? 1 : 0;
    fillSessionValues(store, bins, s, row, 1);
    rows.push(row);
  }
  return { sourceIp: store.addresses.text[source.address]!, rows, addressOf };
}

/** SessionVectors.addressOf from one store's capture-source votes. */
function addressOfMac(store: PacketStore, votes: VotePairs): (mac: string) => string | null {
  const addresses = hostAddresses(store, votes);
  return (mac) => {
    const address = addresses[store.macs.find(mac)] ?? -1;
    return address < 0 ? null : store.addresses.text[address]!;
  };
}

/** Values 1..10 of a session's row (all but "initiated by source"), written at out[offset..offset + 10). */
function fillSessionValues(
  store: PacketStore,
  bins: Bins,
  s: number,
  out: Float64Array,
  offset: number,
): void {
  const { sessions } = bins;
  const { endpoints, addresses } = store;
  const p = sessions.firstPacket.data[s]!;
  const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
  const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
  const proto = store.proto.data[p]!;
  const byFirst = sessions.sentByFirstMac.data[s]!;
  const bySecond = sessions.sentBySecondMac.data[s]!;
  const oneShot = sessions.packets.data[s]! === 1;
  // The original subtracted datetime.timestamp() floats (whole seconds + µs / 1e6), not exact µs.
  const spanS = pythonSeconds(sessions.lastTimeUs.data[s]!) - pythonSeconds(store.timeUs.data[p]!);
  const elapsed = spanS === 0 ? 1 : spanS;
  out[offset] = addresses.isPrivate[a1] && addresses.isPrivate[a2] ? 0 : 1;
  out[offset + 1] = proto === 1 ? 1 : 0;
  out[offset + 2] = proto === 6 ? 1 : 0;
  out[offset + 3] = proto === COMPAT_UDP_PROTO ? 1 : 0;
  out[offset + 4] = sessions.lastLengthSecondMac.data[s]!;
  out[offset + 5] = sessions.lastLengthFirstMac.data[s]!;
  out[offset + 6] = bySecond;
  out[offset + 7] = byFirst;
  out[offset + 8] = oneShot ? 1 : byFirst / elapsed;
  out[offset + 9] = oneShot ? 1 : bySecond / elapsed;
}

const VALUES = SESSION_VECTOR_LENGTH - 31;
/** A packed row: "initiated by source" and the 10 values. */
const ROW = VALUES + 1;

/**
 * Rows packed ROW values each, as an array whose element i is a fresh 41-value row built when read (the
 * LSTM reads them one at a time): 88 bytes per session instead of a 41-value array each.
 */
function packedRows(packed: Float64Array, n: number): Float64Array[] {
  return lazyRowArray(n, (i) => packed.subarray(i * ROW, (i + 1) * ROW));
}

/** An array of n rows whose element i is a fresh 41-value row made from `packedRow(i)` when read. */
function lazyRowArray(n: number, packedRow: (i: number) => Float64Array): Float64Array[] {
  return viewRowArray(n, (i) => {
    const r = new Float64Array(SESSION_VECTOR_LENGTH);
    r.set(packedRow(i));
    return r;
  });
}

/** An array of n rows whose element i is `row(i)`, made when read. */
function viewRowArray(n: number, row: (i: number) => Float64Array): Float64Array[] {
  return lazyArray(n, row);
}

/**
 * The device's packed rows as they are found: grown in memory, or (`toFile`) written through a buffer of
 * `chunkRows` rows to a temporary file that is unlinked at once (the open descriptor keeps it readable;
 * it is closed when the rows are collected), so nothing is left behind even if the process dies.
 */
class DeviceRows {
  private packed: Float64Array;
  private n = 0;
  private file: LeaderRowsFile | null = null;

  constructor(
    toFile: boolean,
    private readonly chunkRows: number,
  ) {
    this.packed = new Float64Array(toFile ? chunkRows * ROW : 0);
    if (toFile) {
      this.file = { fd: openUnlinkedFile('rows'), rows: 0, closed: false };
    }
  }

  /** The file the rows are written to (`rows` of them so far), or null while they are in memory. */
  get onFile(): LeaderRowsFile | null {
    return this.file;
  }

  push(initiated: number, values: Float64Array, offset: number): void {
    const file = this.file;
    if (file && this.n === this.chunkRows) this.flush(file);
    if (!file && (this.n + 1) * ROW > this.packed.length) {
      const grown = new Float64Array(Math.max(1024, this.packed.length * 2));
      grown.set(this.packed);
      this.packed = grown;
    }
    const o = this.n++ * ROW;
    const packed = this.packed;
    packed[o] = initiated;
    // Copied value by value: a subarray per row was millions of short-lived views on a long capture.
    for (let k = 0; k < VALUES; k++) packed[o + 1 + k] = values[offset + k]!;
  }

  /** Moves the rows to a temporary file (the kept sessions spilled: the capture is long), as if made with `toFile`. */
  toFile(): void {
    if (this.file) return;
    const fd = openUnlinkedFile('rows');
    writeAt(fd, new Uint8Array(this.packed.buffer, 0, this.n * ROW * 8), 0);
    this.file = { fd, rows: this.n, closed: false };
    this.n = 0;
    this.packed = new Float64Array(this.chunkRows * ROW);
  }

  /** Closes (and so deletes) the temporary file of rows no one will read. */
  drop(): void {
    if (this.file) {
      this.file.closed = true;
      closeSync(this.file.fd);
    }
    this.file = null;
    this.packed = new Float64Array(0);
    this.n = 0;
  }

  finish(): Pick<SessionVectors, 'rows' | 'rowSource'> {
    const file = this.file;
    if (!file) {
      const packed = this.packed;
      const n = this.n;
      return {
        rows: packedRows(packed, n),
        rowSource: {
          length: n,
          width: SESSION_VECTOR_LENGTH,
          read: (i, out) => {
            out.fill(0, ROW, SESSION_VECTOR_LENGTH);
            const o = i * ROW;
            for (let k = 0; k < ROW; k++) out[k] = packed[o + k]!;
          },
          share: () => sharePackedRows(packed, n, SESSION_VECTOR_LENGTH, ROW),
        },
      };
    }
    this.flush(file);
    this.packed = new Float64Array(0);
    const { fd, rows: total } = file;
    const chunkRows = this.chunkRows;
    const packed = new Float64Array(chunkRows * ROW);
    const bytes = new Uint8Array(packed.buffer);
    // Rows expanded to their 41 values (the one-hots stay zero), handed out as views: a fresh array per
    // row read made millions of short-lived 328-byte buffers, which grew the heap outside V8.
    const chunk = new Float64Array(chunkRows * SESSION_VECTOR_LENGTH);
    let loaded = -1;
    const load = (i: number): number => {
      const c = Math.floor(i / chunkRows);
      if (c !== loaded) {
        const count = Math.min(chunkRows, total - c * chunkRows);
        readAt(fd, bytes.subarray(0, count * ROW * 8), c * chunkRows * ROW * 8);
        for (let r = 0; r < count; r++) {
          const from = r * ROW;
          const to = r * SESSION_VECTOR_LENGTH;
          for (let k = 0; k < ROW; k++) chunk[to + k] = packed[from + k]!;
        }
        loaded = c;
      }
      return (i - c * chunkRows) * SESSION_VECTOR_LENGTH;
    };
    const rows = viewRowArray(total, (i) => {
      const o = load(i);
      return chunk.subarray(o, o + SESSION_VECTOR_LENGTH);
    });
    const rowSource = {
      length: total,
      width: SESSION_VECTOR_LENGTH,
      read: (i: number, out: Float64Array) => {
        const o = load(i);
        for (let k = 0; k < SESSION_VECTOR_LENGTH; k++) out[k] = chunk[o + k]!;
      },
      // Another thread reads the file itself; `load` (reachable from `read`) keeps the descriptor open.
      share: (): SharedRows => ({ length: total, width: SESSION_VECTOR_LENGTH, stored: ROW, fd, chunkRows }),
    };
    // Both views read through `load`: the descriptor is closed once neither is reachable.
    closeWhenCollected(load, fd);
    return { rows, rowSource };
  }

  private flush(file: LeaderRowsFile): void {
    writeAt(file.fd, new Uint8Array(this.packed.buffer, 0, this.n * ROW * 8), file.rows * ROW * 8);
    file.rows += this.n;
    this.n = 0;
  }
}

/** One kept session: its two address ids (as float64) and its 10 values. */
const RECORD = VALUES + 2;
/** Kept sessions held in memory before they are spilled to a temporary file (8 MiB). */
const SPILL_RECORDS = 1 << 13;
/** Spilled sessions nextRow reads back at a time (96 KiB). */
const READ_RECORDS = 1 << 10;
/** Leader changes after which the leader's rows are no longer built while reading (finish builds them). */
const MAX_FOLLOWS = 16;

/**
 * The capture device's session rows while the capture is still being read (issue 14: the LSTM scores its
 * first sequences in the time the main thread would wait for the reader thread). The device is the address
 * with the most votes over the WHOLE capture, so only a guess until the end: the current leader. A bin's
 * sessions are final once the bin closed, and rows are laid out in bin then session order, so the leader's
 * rows read so far are the first rows of its final rows — the device's, if it stays the leader.
 */
export interface ProvisionalRows {
  /** The address id leading the votes so far (-1: none yet). */
  leader(): number;
  /**
   * The leader's rows as they are built, when they are written to a temporary file (a long capture): the
   * same object until they are dropped (another leader, or the capture's end makes other rows).
   */
  leaderFile?(): { address: number; file: LeaderRowsFile } | null;
  addressText(id: number): string | undefined;
  /** The next final row of `address` from kept session `cursor.record` on; false when none yet. */
  nextRow(address: number, cursor: { record: number }, out: Float64Array): boolean;
}

/**
 * A device's rows in a temporary file: `rows` rows of ROW_STORED float64 (the rest of the 41 values are
 * zero) written from offset 0, all final; `closed` once the file is closed (the rows were dropped).
 */
export interface LeaderRowsFile {
  readonly fd: number;
  rows: number;
  closed: boolean;
}

/** Values stored per row in a LeaderRowsFile (the others are zero). */
export const ROW_STORED = ROW;

/** Work on the device's rows done while the capture is read (AnalyzeOptions.whileReading). */
export interface RowWork {
  /** One slice (~0.1 ms) on the rows final so far; false when there is none to do now. */
  step(rows: ProvisionalRows): boolean;
  /** Told after each bin's rows are added (cheap: it hands work to another thread). */
  binAdded?(rows: ProvisionalRows): void;
}

export interface SessionRowOptions {
  /**
   * Capture-wide ids of the addresses that voted or take part in a kept session (shared with the capture's
   * other accumulators); a table of its own by default.
   */
  addresses?: TextIds;
  /** Sessions held in memory before spilling (tests make it small). */
  spillRecords?: number;
  /** Leaders whose rows are built while reading (tests give 0: finish builds the device's rows). */
  maxFollows?: number;
}

/**
 * `sessionVectors` bin by bin, for a capture cut into one store per bin (`BinStream`). The source address is
 * chosen over ALL bins, so it is known only at the end: the (address, MAC) votes are summed across bins (a
 * VoteTally, in first-vote order, so ties resolve as over the whole capture), and each session that could involve
 * the winner — one with an address able to win a vote — is kept as its two addresses and 10 values, in
 * memory up to 8 MiB and then in a temporary file (deleted by `finish`), so memory stays flat however long
 * the capture. With `rows` false only the votes are kept (the source address without the model's rows).
 */
export class SessionRowAccumulator implements ProvisionalRows {
  private readonly votes = new VoteTally();
  /** One bin's votes by the bin's own store ids, before they join `votes` under capture-wide ids. */
  private readonly binVotes = new VoteTally();
  /** Capture-wide ids of the MACs that voted. */
  private readonly macs = new MacIds();
  private count = 0;
  private readonly buffer: Float64Array;
  private spill: { fd: number; records: number } | null = null;
  /** Spilled records read back by nextRow (made on first use): READ_RECORDS from record readFrom. */
  private readChunk: Float64Array | null = null;
  private readFrom = 0;
  private readCount = 0;
  /**
   * The current leader's rows, built as its sessions are kept: when it is the device at the end, finish hands
   * them out instead of reading every kept session back (up to the whole spill file) after the read, when
   * the reader thread has stopped and only this thread works. Null: not built (no leader yet, or given up).
   */
  private building: { address: number; rows: DeviceRows } | null = null;
  /** Leaders whose rows were built; building stops after MAX_FOLLOWS or once a new leader's sessions spilled. */
  private follows = 0;

  private readonly spillRecords: number;
  private readonly maxFollows: number;
  private readonly addresses: TextIds;

  constructor(
    private readonly countPublic = false,
    private readonly rows = true,
    options: SessionRowOptions = {},
  ) {
    this.spillRecords = options.spillRecords ?? SPILL_RECORDS;
    this.maxFollows = options.maxFollows ?? MAX_FOLLOWS;
    this.addresses = options.addresses ?? new TextIds();
    this.buffer = new Float64Array((rows ? this.spillRecords : 0) * RECORD);
  }

  /** Takes one closed bin's votes and kept sessions; returns the bin's own capture source (inferCaptureSource). */
  addBin(store: PacketStore, bins: Bins): CaptureSource {
    const { sessions } = bins;
    const local = this.binVotes;
    local.clear();
    const own = inferCaptureSource(store, bins, 0, sessions.count, this.countPublic, local);
    if (sessions.count === 0) return own;
    for (let i = 0; i < local.count; i++) {
      const address = this.addresses.id(store.addresses.text[local.address(i)]!);
      const mac = local.mac(i);
      this.votes.add(address, this.macs.id(store.macs.hi(mac), store.macs.lo(mac)), local.votes(i));
    }
    if (!this.rows) return own;
    const lead = this.leader();
    if (lead !== (this.building?.address ?? -1)) this.follow(lead);
    const { endpoints, addresses } = store;
    const buffer = this.buffer;
    for (let s = 0; s < sessions.count; s++) {
      const p = sessions.firstPacket.data[s]!;
      if (!store.parseable.data[p]) continue;
      const a1 = endpoints.address[sessions.srcEndpoint.data[s]!]!;
      const a2 = endpoints.address[sessions.dstEndpoint.data[s]!]!;
      // Only an address that can collect votes can be the source.
      if (!this.countPublic && !addresses.isPrivate[a1] && !addresses.isPrivate[a2]) continue;
      if (this.count === this.spillRecords) this.flush();
      const o = this.count++ * RECORD;
      const id1 = this.addresses.id(addresses.text[a1]!);
      const id2 = this.addresses.id(addresses.text[a2]!);
      buffer[o] = id1;
      buffer[o + 1] = id2;
      fillSessionValues(store, bins, s, buffer, o + 2);
      const building = this.building;
      if (building && (id1 === building.address || id2 === building.address))
        building.rows.push(id1 === building.address ? 1 : 0, buffer, o + 2);
    }
    return own;
  }

  /**
   * Starts building `address`'s rows from the sessions kept so far, as finish's take would; gives up (finish
   * then builds the device's rows) when those sessions spilled or after MAX_FOLLOWS leaders.
   */
  private follow(address: number): void {
    this.building?.rows.drop();
    this.building = null;
    if (address < 0 || this.spill !== null || this.follows >= this.maxFollows) return;
    this.follows++;
    const rows = new DeviceRows(false, this.spillRecords);
    const buffer = this.buffer;
    for (let i = 0; i < this.count; i++) {
      const o = i * RECORD;
      if (buffer[o] === address || buffer[o + 1] === address)
        rows.push(buffer[o] === address ? 1 : 0, buffer, o + 2);
    }
    this.building = { address, rows };
  }

  finish(): SessionVectors {
    const sourceIp = this.leadingIp();
    if (!this.rows) {
      return {
        sourceIp,
        addressOf: this.addressOf(),
        get rows(): Float64Array[] {
          throw new Error('session rows were not collected for this analysis');
        },
      };
    }
    const source = this.leader();
    const built = this.building;
    this.building = null;
    if (built && built.address === source) {
      this.dropSpill();
      this.count = 0;
      return { sourceIp, addressOf: this.addressOf(), ...built.rows.finish() };
    }
    built?.rows.drop();
    // The device's rows, packed as their 11 meaningful values (the 30 port one-hots are always zero): in
    // memory when the kept sessions never spilled, else in a temporary file of their own, read back a
    // chunk at a time as the LSTM walks them (a long capture has millions of the device's sessions).
    const out = new DeviceRows(this.spill !== null, this.spillRecords);
    const take = (records: Float64Array, count: number) => {
      for (let i = 0; i < count; i++) {
        const o = i * RECORD;
        if (records[o] !== source && records[o + 1] !== source) continue;
        out.push(records[o] === source ? 1 : 0, records, o + 2);
      }
    };
    const spill = this.spill;
    if (spill) {
      try {
        const chunk = new Float64Array(this.spillRecords * RECORD);
        const bytes = new Uint8Array(chunk.buffer);
        for (let done = 0; done < spill.records; done += this.spillRecords) {
          const count = Math.min(this.spillRecords, spill.records - done);
          readAt(spill.fd, bytes.subarray(0, count * RECORD * 8), done * RECORD * 8);
          if (source >= 0) take(chunk, count);
        }
      } finally {
        this.dropSpill();
      }
    }
    if (source >= 0) take(this.buffer, this.count);
    this.count = 0;
    return { sourceIp, addressOf: this.addressOf(), ...out.finish() };
  }

  /** SessionVectors.addressOf over every bin's votes. */
  private addressOf(): (mac: string) => string | null {
    const { addresses, macs } = this;
    const best = mostVotedAddresses(this.votes, macs.size, (a) => addresses.text(a)!);
    return (mac) => {
      const address = best[macs.find(mac)] ?? -1;
      return address < 0 ? null : addresses.text(address)!;
    };
  }

  /** The address with the most votes so far (the first to reach the most, as over the whole capture), or null. */
  private leadingIp(): string | null {
    const lead = this.leader();
    return lead < 0 ? null : this.addresses.text(lead)!;
  }

  /**
   * The address id that leads the votes so far (-1: none yet): the device whose rows finish() would give
   * were the capture to end after the last bin added. (ProvisionalRows)
   */
  leader(): number {
    const pair = this.votes.leader();
    return pair < 0 ? -1 : this.votes.address(pair);
  }

  /** The leader's rows being built, when on file. (ProvisionalRows) */
  leaderFile(): { address: number; file: LeaderRowsFile } | null {
    const building = this.building;
    const file = building?.rows.onFile ?? null;
    return building && file ? { address: building.address, file } : null;
  }

  /** The text of an address id. (ProvisionalRows) */
  addressText(id: number): string | undefined {
    return this.addresses.text(id);
  }

  /**
   * Reads the next row of `address` at or after kept session `cursor.record` into `out` (41 values, as
   * finish() gives it were `address` the device) and moves the cursor past it; false when no session kept
   * so far is one (the cursor then stays at the end, to continue from there). Needs `rows`. (ProvisionalRows)
   */
  nextRow(address: number, cursor: { record: number }, out: Float64Array): boolean {
    const spilled = this.spill?.records ?? 0;
    const total = spilled + this.count;
    for (let r = cursor.record; r < total; r++) {
      let records: Float64Array;
      let o: number;
      if (r < spilled) {
        records = this.spilledRecords(r);
        o = (r - this.readFrom) * RECORD;
      } else {
        records = this.buffer;
        o = (r - spilled) * RECORD;
      }
      const a1 = records[o]!;
      if (a1 !== address && records[o + 1] !== address) continue;
      out[0] = a1 === address ? 1 : 0;
      for (let k = 0; k < VALUES; k++) out[1 + k] = records[o + 2 + k]!;
      out.fill(0, ROW, SESSION_VECTOR_LENGTH);
      cursor.record = r + 1;
      return true;
    }
    cursor.record = total;
    return false;
  }

  /** The spilled records around record r, read from the temporary file when not already here. */
  private spilledRecords(r: number): Float64Array {
    if (this.readChunk === null) this.readChunk = new Float64Array(READ_RECORDS * RECORD);
    const chunk = this.readChunk;
    if (r < this.readFrom || r >= this.readFrom + this.readCount) {
      const spill = this.spill!;
      const count = Math.min(READ_RECORDS, spill.records - r);
      readAt(spill.fd, new Uint8Array(chunk.buffer, 0, count * RECORD * 8), r * RECORD * 8);
      this.readFrom = r;
      this.readCount = count;
    }
    return chunk;
  }

  /** Closes (and so deletes: it is unlinked) the temporary file, if any; finish does, call it when an analysis is abandoned. */
  dropSpill(): void {
    this.building?.rows.drop();
    this.building = null;
    const spill = this.spill;
    if (!spill) return;
    this.spill = null;
    closeSync(spill.fd);
  }

  private flush(): void {
    if (!this.spill) {
      this.spill = { fd: openUnlinkedFile('sessions'), records: 0 };
      // The capture is long: the rows being built go to a file too, as finish would have put them.
      this.building?.rows.toFile();
    }
    writeAt(
      this.spill.fd,
      new Uint8Array(this.buffer.buffer, 0, this.count * RECORD * 8),
      this.spill.records * RECORD * 8,
    );
    this.spill.records += this.count;
    this.count = 0;
  }
}
