import { macWords } from '../sessions/address.js';
import { QuadTable } from '../sessions/quad-table.js';

/**
 * MACs interned by their two words (first two bytes, last four) to dense ids in first-seen order, across the
 * stores of a capture's bins. No text per MAC: a flood's capture votes with a new MAC per frame.
 */
export class MacIds {
  private readonly table = new QuadTable(64);
  private readonly parsed = new Int32Array(2);

  /** The id of the MAC (hi, lo), the next one when it is new. */
  id(hi: number, lo: number): number {
    return this.table.intern(hi, lo, 0, 0);
  }

  /** The id of the MAC `text` names (as macText writes it), or -1 when it was never interned. */
  find(text: string): number {
    if (!macWords(text, this.parsed)) return -1;
    return this.table.find(this.parsed[0]!, this.parsed[1]!, 0, 0);
  }

  get size(): number {
    return this.table.size;
  }
}
