/**
 * Growable struct-of-arrays tables: typed-array columns that share one row capacity, so a store adds a row
 * with one `ensure(rows)` (a single compare on the per-packet path) instead of one call per column.
 * Growth doubles the capacity and copies every column; rows are never shrunk (stores are reused).
 */

/** One column: `width` values per row, row r at data[r·width …]. `data` is replaced when its table grows. */
export class IntColumn {
  data: Int32Array<ArrayBuffer>;
  constructor(
    rows: number,
    readonly width: number,
    /** Value of rows not yet written (0 unless given). */
    readonly fill: number,
  ) {
    this.data = new Int32Array(rows * width);
    if (fill !== 0) this.data.fill(fill);
  }
  resize(rows: number): void {
    const grown = new Int32Array(rows * this.width);
    if (this.fill !== 0) grown.fill(this.fill);
    grown.set(this.data);
    this.data = grown;
  }
}

export class FloatColumn {
  data: Float64Array<ArrayBuffer>;
  constructor(
    rows: number,
    readonly width: number,
    readonly fill: number,
  ) {
    this.data = new Float64Array(rows * width);
    if (fill !== 0) this.data.fill(fill);
  }
  resize(rows: number): void {
    const grown = new Float64Array(rows * this.width);
    if (this.fill !== 0) grown.fill(this.fill);
    grown.set(this.data);
    this.data = grown;
  }
}

export class ByteColumn {
  data: Uint8Array<ArrayBuffer>;
  constructor(
    rows: number,
    readonly width: number,
  ) {
    this.data = new Uint8Array(rows * width);
  }
  resize(rows: number): void {
    const grown = new Uint8Array(rows * this.width);
    grown.set(this.data);
    this.data = grown;
  }
}

type Column = IntColumn | FloatColumn | ByteColumn;

/** Columns with one shared row capacity (initially `capacity` rows). */
export class ColumnTable {
  private readonly columns: Column[] = [];

  constructor(private capacity = 1024) {}

  int(width = 1, fill = 0): IntColumn {
    const c = new IntColumn(this.capacity, width, fill);
    this.columns.push(c);
    return c;
  }

  float(width = 1, fill = 0): FloatColumn {
    const c = new FloatColumn(this.capacity, width, fill);
    this.columns.push(c);
    return c;
  }

  byte(width = 1): ByteColumn {
    const c = new ByteColumn(this.capacity, width);
    this.columns.push(c);
    return c;
  }

  /** Makes room for `rows` rows in every column (existing rows kept). */
  ensure(rows: number): void {
    if (rows > this.capacity) this.grow(rows);
  }

  private grow(rows: number): void {
    let cap = Math.max(this.capacity, 1) * 2;
    while (cap < rows) cap *= 2;
    this.capacity = cap;
    for (const c of this.columns) c.resize(cap);
  }
}
