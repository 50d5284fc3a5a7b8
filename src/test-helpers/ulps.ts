/** The `count` doubles on each side of x, stepping one ulp at a time (x finite and nonzero), x included. */
export function around(x: number, count: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const out: number[] = [];
  for (let d = -count; d <= count; d++) {
    view.setBigUint64(0, bits + BigInt(d));
    out.push(view.getFloat64(0));
  }
  return out;
}
