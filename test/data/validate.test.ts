import { describe, expect, it } from 'vitest';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import type { BarTable, PitSeriesName, PitTable } from '../../lib/data/tables.ts';
import {
  buildMembershipSpells,
  flagBarsOutsideMembership,
  validateBars,
  validatePit,
} from '../../lib/data/validate.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 2, 15, 30);
const GRID = Float64Array.from([T0, T0 + HOUR, T0 + 2 * HOUR, T0 + DAY, T0 + DAY + HOUR]);
const SYMBOLS = ['AAPL', 'MSFT'];

interface MutableBars {
  n: number;
  ts: Float64Array;
  symbol: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  vwap?: Float64Array;
  spreadBps?: Float64Array;
}

/** Two symbols × the 5 grid bars, all valid, with vwap and spread columns. Rows: AAPL 0-4, MSFT 5-9. */
function goodBars(): MutableBars {
  const n = 10;
  const t: MutableBars = {
    n,
    ts: new Float64Array(n),
    symbol: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    vwap: new Float64Array(n),
    spreadBps: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const s = i < 5 ? 0 : 1;
    t.symbol[i] = s;
    t.ts[i] = GRID[i % 5] as number;
    const base = 100 + s * 200 + i;
    t.open[i] = base;
    t.close[i] = base + 0.5;
    t.high[i] = base + 1;
    t.low[i] = base - 1;
    t.volume[i] = 1000 + i;
    (t.vwap as Float64Array)[i] = base + 0.2;
    (t.spreadBps as Float64Array)[i] = 2;
  }
  return t;
}

const ctx = { dataset: 'bars/test', symbols: SYMBOLS, gridCloseMs: GRID };

function expectIntegrity(fn: () => void, rule: string, row: number | undefined, dataset = 'bars/test') {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataIntegrityError);
  const err = caught as DataIntegrityError;
  expect(err.code).toBe('DATA_INTEGRITY');
  expect(err.name).toBe('DataIntegrityError');
  expect(err.details.rule).toBe(rule);
  expect(err.details.row).toBe(row);
  expect(err.details.dataset).toBe(dataset);
  expect(err.message).toContain(rule);
  expect(err.message).toContain(dataset);
  if (row !== undefined) expect(err.message).toContain(`row ${row} `);
  return err;
}

describe('validate: validateBars', () => {
  it('accepts a valid table, an empty table, and a table without the optional columns', () => {
    expect(() => validateBars(goodBars(), ctx)).not.toThrow();
    const { vwap: _v, spreadBps: _s, ...plain } = goodBars();
    expect(() => validateBars(plain, ctx)).not.toThrow();
    const empty: BarTable = {
      n: 0,
      ts: new Float64Array(0),
      symbol: new Int32Array(0),
      open: new Float64Array(0),
      high: new Float64Array(0),
      low: new Float64Array(0),
      close: new Float64Array(0),
      volume: new Float64Array(0),
    };
    expect(() => validateBars(empty, ctx)).not.toThrow();
  });

  const cases: [string, number, (t: MutableBars, i: number) => void][] = [
    [
      'symbol_in_range',
      6,
      (t, i) => {
        t.symbol[i] = 2;
      },
    ],
    [
      'finite_price',
      3,
      (t, i) => {
        t.close[i] = Number.NaN;
      },
    ],
    [
      'finite_price',
      7,
      (t, i) => {
        t.open[i] = Number.POSITIVE_INFINITY;
      },
    ],
    [
      'finite_price',
      2,
      (t, i) => {
        t.low[i] = Number.NEGATIVE_INFINITY;
      },
    ],
    [
      'positive_price',
      4,
      (t, i) => {
        t.low[i] = -1;
        t.open[i] = -0.5;
        t.close[i] = -0.5;
      },
    ],
    [
      'positive_price',
      1,
      (t, i) => {
        t.low[i] = 0;
        (t.vwap as Float64Array).fill(0, i, i + 1);
      },
    ],
    [
      'high_ge_max_open_close',
      5,
      (t, i) => {
        t.high[i] = (t.close[i] as number) - 0.01;
      },
    ],
    [
      'high_ge_max_open_close',
      8,
      (t, i) => {
        t.high[i] = (t.open[i] as number) - 0.1;
      },
    ],
    [
      'low_le_min_open_close',
      0,
      (t, i) => {
        t.low[i] = (t.close[i] as number) + 0.1;
      },
    ],
    [
      'volume_positive',
      9,
      (t, i) => {
        t.volume[i] = 0;
      },
    ],
    [
      'volume_positive',
      2,
      (t, i) => {
        t.volume[i] = -5;
      },
    ],
    [
      'volume_positive',
      3,
      (t, i) => {
        t.volume[i] = Number.NaN;
      },
    ],
    [
      'volume_positive',
      3,
      (t, i) => {
        t.volume[i] = Number.POSITIVE_INFINITY;
      },
    ],
    [
      'spread_nonnegative',
      6,
      (t, i) => {
        (t.spreadBps as Float64Array)[i] = -0.01;
      },
    ],
    [
      'spread_nonnegative',
      6,
      (t, i) => {
        (t.spreadBps as Float64Array)[i] = Number.NaN;
      },
    ],
    [
      'vwap_in_range',
      4,
      (t, i) => {
        (t.vwap as Float64Array)[i] = (t.high[i] as number) + 0.01;
      },
    ],
    [
      'vwap_in_range',
      5,
      (t, i) => {
        (t.vwap as Float64Array)[i] = (t.low[i] as number) - 0.01;
      },
    ],
    [
      'vwap_in_range',
      5,
      (t, i) => {
        (t.vwap as Float64Array)[i] = Number.NaN;
      },
    ],
    [
      'sorted_unique',
      2,
      (t, i) => {
        t.ts[i] = t.ts[i - 1] as number;
      },
    ],
    [
      'sorted_unique',
      3,
      (t, i) => {
        t.ts[i] = GRID[0] as number;
      },
    ],
    [
      'sorted_unique',
      6,
      (t, i) => {
        t.symbol[i] = 0;
      },
    ],
    [
      'on_grid',
      0,
      (t, i) => {
        t.ts[i] = (GRID[0] as number) - HOUR;
      },
    ],
    [
      'on_grid',
      7,
      (t, i) => {
        t.ts[i] = (GRID[2] as number) + 1;
      },
    ],
    [
      'on_grid',
      4,
      (t, i) => {
        t.ts[i] = (GRID[4] as number) + HOUR;
      },
    ],
    [
      'on_grid',
      5,
      (t, i) => {
        t.ts[i] = Number.NaN;
      },
    ],
  ];
  it.each(cases)('rejects %s at row %i, naming rule, row, symbol and ts', (rule, row, mutate) => {
    const t = goodBars();
    mutate(t, row);
    const err = expectIntegrity(() => validateBars(t, ctx), rule, row);
    const symIndex = t.symbol[row] as number;
    if (rule !== 'symbol_in_range') {
      expect(err.details.symbol).toBe(SYMBOLS[symIndex]);
      expect(err.message).toContain(SYMBOLS[symIndex]);
    }
    expect(Object.is(err.details.ts, t.ts[row])).toBe(true);
  });

  it('reports the first offending row when several rows break different rules', () => {
    const t = goodBars();
    t.volume[7] = 0;
    t.close[4] = Number.NaN;
    t.ts[8] = 1;
    expectIntegrity(() => validateBars(t, ctx), 'finite_price', 4);
  });

  it('says what it received and what it expected', () => {
    const t = goodBars();
    t.volume[2] = 0;
    const err = expectIntegrity(() => validateBars(t, ctx), 'volume_positive', 2);
    expect(err.message).toContain('volume 0');
    expect(err.message).toContain('> 0');
    expect(err.message).toContain('2024-01-02T17:30:00.000Z');
  });

  it('rejects a column whose length differs from n', () => {
    const t = goodBars();
    t.close = new Float64Array(9);
    expectIntegrity(() => validateBars(t, ctx), 'column_length', undefined);
  });

  it('rejects an unsorted grid', () => {
    const grid = Float64Array.from([T0, T0 + 2 * HOUR, T0 + HOUR]);
    const err = expectIntegrity(
      () => validateBars(goodBars(), { ...ctx, gridCloseMs: grid }),
      'grid_sorted',
      undefined,
    );
    expect(err.details.gridIndex).toBe(2);
  });

  it('accepts bars of a symbol that skip grid closes (the merge walk skips ahead)', () => {
    const t = goodBars();
    const keep = [0, 2, 4, 6, 9];
    const sub: BarTable = {
      n: keep.length,
      ts: Float64Array.from(keep, (i) => t.ts[i] as number),
      symbol: Int32Array.from(keep, (i) => t.symbol[i] as number),
      open: Float64Array.from(keep, (i) => t.open[i] as number),
      high: Float64Array.from(keep, (i) => t.high[i] as number),
      low: Float64Array.from(keep, (i) => t.low[i] as number),
      close: Float64Array.from(keep, (i) => t.close[i] as number),
      volume: Float64Array.from(keep, (i) => t.volume[i] as number),
    };
    expect(() => validateBars(sub, ctx)).not.toThrow();
  });
});

describe('validate: flagBarsOutsideMembership', () => {
  it('counts bars outside every spell of their symbol and lists the first ones', () => {
    // AAPL member from GRID[1] up to (excluding) GRID[3]; MSFT from GRID[3] on.
    const spells = buildMembershipSpells(2, [
      { symbol: 1, startMs: GRID[3] as number, endMs: Number.POSITIVE_INFINITY },
      { symbol: 0, startMs: GRID[1] as number, endMs: GRID[3] as number },
    ]);
    const report = flagBarsOutsideMembership(goodBars(), spells, 2);
    // AAPL rows 0, 3, 4 are outside; MSFT rows 5, 6, 7 are outside.
    expect(report.count).toBe(6);
    expect(report.examples).toEqual([
      { row: 0, symbol: 0, tsMs: GRID[0] },
      { row: 3, symbol: 0, tsMs: GRID[3] },
    ]);
  });

  it('handles several spells per symbol and symbols without spells', () => {
    const spells = buildMembershipSpells(2, [
      { symbol: 0, startMs: GRID[3] as number, endMs: Number.POSITIVE_INFINITY },
      { symbol: 0, startMs: GRID[0] as number, endMs: GRID[1] as number },
    ]);
    expect(Array.from(spells.offsets)).toEqual([0, 2, 2]);
    const report = flagBarsOutsideMembership(goodBars(), spells);
    // AAPL rows 1, 2 outside; all 5 MSFT rows outside.
    expect(report.count).toBe(7);
    expect(report.examples.map((x) => x.row)).toEqual([1, 2, 5, 6, 7, 8, 9]);
  });

  it('rejects overlapping spells, bad bounds and symbols out of range', () => {
    expectIntegrity(
      () =>
        buildMembershipSpells(1, [
          { symbol: 0, startMs: 0, endMs: 10 },
          { symbol: 0, startMs: 5, endMs: 20 },
        ]),
      'spells_disjoint',
      1,
      'membership',
    );
    expectIntegrity(
      () => buildMembershipSpells(1, [{ symbol: 0, startMs: 10, endMs: 10 }]),
      'spell_bounds',
      0,
      'membership',
    );
    expectIntegrity(
      () => buildMembershipSpells(1, [{ symbol: 1, startMs: 0, endMs: 10 }]),
      'symbol_in_range',
      0,
      'membership',
    );
  });
});

interface PitRowInput {
  e: number;
  ev: number;
  rel: number;
  ing: number;
  known?: number;
}

function pit(
  rows: PitRowInput[],
  name: PitSeriesName = 'fundamentals',
  entityNames = ['AAPL', 'MSFT'],
): PitTable {
  const n = rows.length;
  return {
    name,
    n,
    entityNames,
    entity: Int32Array.from(rows, (r) => r.e),
    eventTime: Float64Array.from(rows, (r) => r.ev),
    publicReleaseTime: Float64Array.from(rows, (r) => r.rel),
    ingestTime: Float64Array.from(rows, (r) => r.ing),
    knownTime: Float64Array.from(rows, (r) => r.known ?? Math.max(r.rel, r.ing)),
    fields: { eps: Float64Array.from(rows, (_, i) => i) },
  };
}

const goodPit: PitRowInput[] = [
  { e: 0, ev: 100, rel: 130, ing: 131 },
  { e: 0, ev: 200, rel: 230, ing: 229 },
  { e: 0, ev: 100, rel: 240, ing: 240 }, // revision of event 100
  { e: 1, ev: 100, rel: 150, ing: 150 },
  { e: 1, ev: 140, rel: 150, ing: 150 }, // same known time, later event: sorted by event
];

describe('validate: validatePit', () => {
  it('accepts a valid table and an empty one', () => {
    expect(() => validatePit(pit(goodPit), 'fundamentals')).not.toThrow();
    expect(() => validatePit(pit([]), 'fundamentals')).not.toThrow();
  });

  const cases: [string, number, (rows: PitRowInput[]) => void][] = [
    [
      'entity_in_range',
      3,
      (r) => {
        (r[3] as PitRowInput).e = 2;
      },
    ],
    [
      'entity_in_range',
      0,
      (r) => {
        (r[0] as PitRowInput).e = -1;
      },
    ],
    [
      'finite_times',
      1,
      (r) => {
        (r[1] as PitRowInput).ev = Number.NaN;
      },
    ],
    [
      'finite_times',
      2,
      (r) => void Object.assign(r[2] as PitRowInput, { ing: Number.POSITIVE_INFINITY, known: 240 }),
    ],
    [
      'known_time_is_max',
      0,
      (r) => {
        (r[0] as PitRowInput).known = 130;
      },
    ],
    [
      'known_time_is_max',
      4,
      (r) => {
        (r[4] as PitRowInput).known = 151;
      },
    ],
    ['release_before_event', 1, (r) => void Object.assign(r[1] as PitRowInput, { rel: 199, ing: 229 })],
    ['sorted', 2, (r) => void Object.assign(r[2] as PitRowInput, { rel: 200, ing: 200 })],
    [
      'sorted',
      3,
      (r) => {
        (r[3] as PitRowInput).e = 0;
      },
    ],
    [
      'sorted',
      4,
      (r) => {
        (r[4] as PitRowInput).ev = 100;
      },
    ],
    [
      'sorted',
      4,
      (r) => {
        (r[4] as PitRowInput).ev = 50;
      },
    ],
    ['sorted', 1, (r) => void Object.assign(r[1] as PitRowInput, { ev: 100, rel: 130, ing: 131 })],
  ];
  it.each(cases)('rejects %s at row %i', (rule, row, mutate) => {
    const rows = structuredClone(goodPit);
    mutate(rows);
    const err = expectIntegrity(() => validatePit(pit(rows), 'fundamentals'), rule, row, 'fundamentals');
    const e = (rows[row] as PitRowInput).e;
    if (rule !== 'entity_in_range') expect(err.message).toContain(['AAPL', 'MSFT'][e]);
  });

  it('reports the first offending row', () => {
    const rows = structuredClone(goodPit);
    (rows[4] as PitRowInput).known = 1;
    (rows[1] as PitRowInput).ev = 500;
    expectIntegrity(() => validatePit(pit(rows), 'fundamentals'), 'release_before_event', 1, 'fundamentals');
  });

  it('lets corporate actions be announced before their ex-date, unless told otherwise', () => {
    const rows: PitRowInput[] = [{ e: 0, ev: 500, rel: 100, ing: 100 }];
    expect(() => validatePit(pit(rows, 'corporate_actions'), 'ca')).not.toThrow();
    expectIntegrity(
      () => validatePit(pit(rows, 'corporate_actions'), 'ca', { releaseMayPrecedeEvent: false }),
      'release_before_event',
      0,
      'ca',
    );
    expectIntegrity(
      () => validatePit(pit(rows, 'sentiment'), 'sentiment'),
      'release_before_event',
      0,
      'sentiment',
    );
  });

  it('rejects a value column whose length differs from n', () => {
    const t = { ...pit(goodPit), fields: { eps: new Float64Array(2) } };
    expectIntegrity(() => validatePit(t, 'fundamentals'), 'column_length', undefined, 'fundamentals');
  });
});

describe('validate: corporate actions (splits and delistings)', () => {
  const NaN_ = Number.NaN;
  /** Rows: AAPL split (0), AAPL delisting (1), MSFT delisting without a price (2). */
  function actions(): PitTable {
    const base = pit(
      [
        { e: 0, ev: 500, rel: 100, ing: 100 },
        { e: 0, ev: 900, rel: 300, ing: 310 },
        { e: 1, ev: 900, rel: 950, ing: 950 },
      ],
      'corporate_actions',
    );
    return {
      ...base,
      fields: {
        action: Float64Array.of(0, 1, 1),
        ratio: Float64Array.of(2, NaN_, NaN_),
        last_price: Float64Array.of(NaN_, 12.5, NaN_),
        delisting_return: Float64Array.of(NaN_, NaN_, -0.2),
      },
    };
  }
  const set = (t: PitTable, column: string, row: number, v: number): PitTable => {
    const copy = Float64Array.from(t.fields[column]!);
    copy[row] = v;
    return { ...t, fields: { ...t.fields, [column]: copy } };
  };

  it('accepts splits and delistings, with the price and the return optional', () => {
    expect(() => validatePit(actions(), 'ca')).not.toThrow();
  });

  it.each([
    ['an unknown action code', 'action', 1, 2, 'coded_value'],
    ['a fractional action code', 'action', 0, 0.5, 'coded_value'],
    ['a split without a ratio', 'ratio', 0, NaN_, 'split_ratio'],
    ['a split with a ratio of 0', 'ratio', 0, 0, 'split_ratio'],
    ['a split with a last price', 'last_price', 0, 10, 'split_values'],
    ['a delisting with a ratio', 'ratio', 1, 2, 'delisting_ratio'],
    ['a delisting with a price of 0', 'last_price', 1, 0, 'delisting_last_price'],
    ['a delisting with an infinite price', 'last_price', 2, Number.POSITIVE_INFINITY, 'delisting_last_price'],
    ['a delisting with a return below -1', 'delisting_return', 2, -1.5, 'delisting_return'],
  ])('rejects %s, naming the row and the rule', (_what, column, row, v, rule) => {
    const err = expectIntegrity(() => validatePit(set(actions(), column, row, v), 'ca'), rule, row, 'ca');
    expect(err.message).toContain(['AAPL', 'AAPL', 'MSFT'][row]);
  });

  it('reads a table without an action column as splits only', () => {
    const { action: _dropped, ...splitOnly } = actions().fields;
    expectIntegrity(
      () => validatePit({ ...actions(), fields: splitOnly }, 'ca'),
      'split_ratio', // row 1, a delisting, read as a split: it has no ratio
      1,
      'ca',
    );
  });
});
