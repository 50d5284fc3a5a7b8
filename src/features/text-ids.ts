/**
 * Texts (addresses, MACs) interned to dense ids 0, 1, 2, … in first-seen order, and back. One table can serve
 * several accumulators of a capture: a LAN's capture meets hundreds of thousands of hosts, and each
 * accumulator keeping its own map and copy of their texts was tens of bytes a host each.
 */
export class TextIds {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  /** The id of `text`, the next one when it is new. */
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  /** The id of `text`, or -1 when it was never interned. */
  find(text: string): number {
    return this.ids.get(text) ?? -1;
  }

  text(id: number): string | undefined {
    return this.texts[id];
  }

  get size(): number {
    return this.texts.length;
  }
}
