import type { PitSeriesName, PitTable } from '../tables.ts';

/**
 * Growable columnar buffer for point-in-time rows, turned into a `PitTable` sorted by
 * (entity, knownTime, eventTime) — the order `validatePit` and the as-of view require.
 */
export class PitBuffer {
  n = 0;
  private cap: number;
  private entity: Int32Array;
  private times: Float64Array[];
  private values: Float64Array[];

  constructor(
    readonly name: PitSeriesName,
    readonly fieldNames: readonly string[],
    initialCapacity = 1024,
  ) {
    this.cap = initialCapacity;
    this.entity = new Int32Array(this.cap);
    this.times = [0, 1, 2].map(() => new Float64Array(this.cap));
    this.values = fieldNames.map(() => new Float64Array(this.cap));
  }

  /** Appends a row; `values` in `fieldNames` order. knownTime is derived: max(release, ingest). */
  push(
    entity: number,
    eventTime: number,
    publicReleaseTime: number,
    ingestTime: number,
    values: ArrayLike<number>,
  ): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.entity[i] = entity;
    this.times[0]![i] = eventTime;
    this.times[1]![i] = publicReleaseTime;
    this.times[2]![i] = ingestTime;
    for (let f = 0; f < this.values.length; f++) this.values[f]![i] = values[f]!;
  }

  private grow(): void {
    this.cap *= 2;
    const e = new Int32Array(this.cap);
    e.set(this.entity);
    this.entity = e;
    const growF = (x: Float64Array): Float64Array => {
      const y = new Float64Array(this.cap);
      y.set(x);
      return y;
    };
    this.times = this.times.map(growF);
    this.values = this.values.map(growF);
  }

  toTable(entityNames: readonly string[]): PitTable {
    const n = this.n;
    const [ev, pub, ing] = this.times as [Float64Array, Float64Array, Float64Array];
    const known = new Float64Array(n);
    for (let i = 0; i < n; i++) known[i] = Math.max(pub[i]!, ing[i]!);
    const order = Uint32Array.from({ length: n }, (_, i) => i);
    const ent = this.entity;
    order.sort((x, y) => ent[x]! - ent[y]! || known[x]! - known[y]! || ev[x]! - ev[y]! || x - y);
    const take = (src: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = src[order[i]!]!;
      return out;
    };
    const entity = new Int32Array(n);
    for (let i = 0; i < n; i++) entity[i] = ent[order[i]!]!;
    const fields: Record<string, Float64Array> = {};
    this.fieldNames.forEach((f, k) => {
      fields[f] = take(this.values[k]!);
    });
    return {
      name: this.name,
      n,
      entity,
      entityNames,
      eventTime: take(ev),
      publicReleaseTime: take(pub),
      ingestTime: take(ing),
      knownTime: take(known),
      fields,
    };
  }
}
