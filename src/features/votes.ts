import { ColumnTable, type FloatColumn } from '../sessions/columns.js';
import { QuadTable } from '../sessions/quad-table.js';

/** Capture-source votes as (MAC id, address id, votes) pairs, pair i at index i, in first-vote order. */
export interface VotePairs {
  readonly count: number;
  mac(pair: number): number;
  address(pair: number): number;
  votes(pair: number): number;
}

/**
 * Capture-source votes per (address id, MAC id) pair, in first-vote order, and the pair a scan of them in that
 * order would pick — the most votes, ties to the first voted — kept up to date as votes come in (a scan per
 * bin grew with the hosts). Ids in typed columns, no entry object or text key per pair: a LAN's capture meets a
 * pair per host, and a flood's bin one per frame (a map keyed by address id × MAC ids held a heap number per
 * key past 2^31, ~90 bytes a pair in all).
 */
export class VoteTally implements VotePairs {
  /** (address id, MAC id) → pair id, dense in first-vote order: the order ties resolve by. */
  private readonly pairs: QuadTable;
  private readonly rows: ColumnTable;
  private readonly pairVotes: FloatColumn;
  private lead = -1;

  constructor(initialPairs = 1024) {
    this.pairs = new QuadTable(initialPairs);
    this.rows = new ColumnTable(initialPairs);
    this.pairVotes = this.rows.float();
  }

  get count(): number {
    return this.pairs.size;
  }

  add(address: number, mac: number, n: number): void {
    const before = this.pairs.size;
    const pair = this.pairs.intern(address, mac, 0, 0);
    if (pair === before) this.rows.ensure(pair + 1);
    const votes = this.pairVotes.data;
    const v = (pair === before ? 0 : votes[pair]!) + n;
    votes[pair] = v;
    // Counts only grow, so the leader is the old one or this pair.
    const lead = this.lead;
    if (lead < 0) {
      if (v > 0) this.lead = pair;
    } else if (v > votes[lead]! || (v === votes[lead] && pair < lead)) this.lead = pair;
  }

  /** The pair with the most votes (the first voted among equals), or -1 when none has a vote. */
  leader(): number {
    return this.lead;
  }

  address(pair: number): number {
    return this.pairs.word(pair, 0);
  }

  mac(pair: number): number {
    return this.pairs.word(pair, 1);
  }

  votes(pair: number): number {
    return this.pairVotes.data[pair]!;
  }

  /** Forgets every vote, keeping the capacity (one tally serves bin after bin). */
  clear(): void {
    this.pairs.clear();
    this.lead = -1;
  }
}
