import { describe, expect, it } from 'vitest';
import {
  AnalystRow,
  BarRow,
  CorporateActionRow,
  FundamentalsRow,
  MacroRow,
  MembershipSpellRow,
  PIT_ROW_SCHEMAS,
  PIT_SERIES,
  PIT_SERIES_NAMES,
  PIT_TIME_COLUMNS,
  SectorRow,
  SentimentRow,
  TrapRow,
} from '../../lib/data/schemas.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 30);
const times = {
  event_time: T0,
  public_release_time: T0 + 1000,
  ingest_time: T0 + 500,
  known_time: T0 + 1000,
};

const validBar = { ts: T0, symbol: 'AAPL', open: 10, high: 11, low: 9, close: 10.5, volume: 1000 };

describe('schemas: BarRow', () => {
  it('accepts a valid bar, with or without the optional columns', () => {
    expect(BarRow.safeParse(validBar).success).toBe(true);
    expect(BarRow.safeParse({ ...validBar, vwap: 10.2, spread_bps: 1.5 }).success).toBe(true);
  });

  it.each([
    ['unknown key', { ...validBar, adj_close: 10 }],
    ['NaN price', { ...validBar, close: Number.NaN }],
    ['infinite price', { ...validBar, high: Number.POSITIVE_INFINITY }],
    ['zero price', { ...validBar, low: 0 }],
    ['zero volume', { ...validBar, volume: 0 }],
    ['fractional ts', { ...validBar, ts: T0 + 0.5 }],
    ['negative spread', { ...validBar, spread_bps: -1 }],
    ['lower-case ticker', { ...validBar, symbol: 'aapl' }],
    ['missing close', { ts: T0, symbol: 'AAPL', open: 10, high: 11, low: 9, volume: 1 }],
  ])('rejects %s', (_label, row) => {
    expect(BarRow.safeParse(row).success).toBe(false);
  });
});

describe('schemas: MembershipSpellRow and SectorRow', () => {
  it('accepts an open spell (end_date null) and a closed one', () => {
    expect(
      MembershipSpellRow.safeParse({ ticker: 'A', start_date: '2000-06-05', end_date: null }).success,
    ).toBe(true);
    expect(
      MembershipSpellRow.safeParse({ ticker: 'BRK.B', start_date: '2010-02-16', end_date: '2024-09-23' })
        .success,
    ).toBe(true);
  });

  it('rejects an end before the start, a bad date and a missing end_date', () => {
    expect(
      MembershipSpellRow.safeParse({ ticker: 'A', start_date: '2010-01-02', end_date: '2009-01-02' }).success,
    ).toBe(false);
    expect(
      MembershipSpellRow.safeParse({ ticker: 'A', start_date: '2010-13-02', end_date: null }).success,
    ).toBe(false);
    expect(MembershipSpellRow.safeParse({ ticker: 'A', start_date: '2010-01-02' }).success).toBe(false);
  });

  it('requires a boolean assigned flag on sectors', () => {
    expect(SectorRow.safeParse({ symbol: 'MMM', sector: 'Industrials', assigned: false }).success).toBe(true);
    expect(SectorRow.safeParse({ symbol: 'MMM', sector: 'Industrials', assigned: 'no' }).success).toBe(false);
    const dated = { symbol: 'MMM', sector: 'Industrials', assigned: false, effective_date: '2020-03-02' };
    expect(SectorRow.safeParse(dated).success).toBe(true);
    expect(SectorRow.safeParse({ ...dated, effective_date: '2020-3-2' }).success).toBe(false);
  });
});

const validPit = {
  fundamentals: {
    symbol: 'AAPL',
    fiscal_period: '2023Q4',
    ...times,
    eps: 2.1,
    book_value_per_share: 4,
    sales_per_share: 25,
    roe: 0.5,
    gross_margin: 0.45,
    accruals: null,
    eps_consensus: 2,
    shares_outstanding: 15.5e9,
    revision: 0,
  },
  macro: { series: 'CPI', ...times, actual: 3.1, consensus: null, revision: 1 },
  sentiment: { symbol: 'AAPL', ...times, score: -0.4, news_count: 12 },
  analyst: {
    symbol: 'AAPL',
    ...times,
    eps_estimate_mean: 2.05,
    eps_estimate_std: 0.1,
    n_up: 3,
    n_down: 1,
    rating: 2.1,
    rating_change: -0.1,
  },
  corporate_actions: { symbol: 'NVDA', ...times, action: 'split', ratio: 10 },
  trap: { symbol: 'AAPL', ...times, value: 0.3 },
} as const;

describe('schemas: point-in-time rows', () => {
  it.each(PIT_SERIES_NAMES)('%s accepts a valid row and rejects an unknown key', (name) => {
    const schema = PIT_ROW_SCHEMAS[name];
    expect(schema.safeParse(validPit[name]).success).toBe(true);
    expect(schema.safeParse({ ...validPit[name], extra: 1 }).success).toBe(false);
  });

  it.each(PIT_SERIES_NAMES)('%s rejects known_time != max(public_release_time, ingest_time)', (name) => {
    const result = PIT_ROW_SCHEMAS[name].safeParse({ ...validPit[name], known_time: T0 + 500 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['known_time']);
  });

  it.each(PIT_SERIES_NAMES)('%s rejects a missing or fractional time', (name) => {
    const { ingest_time: _dropped, ...missing } = validPit[name];
    expect(PIT_ROW_SCHEMAS[name].safeParse(missing).success).toBe(false);
    expect(PIT_ROW_SCHEMAS[name].safeParse({ ...validPit[name], event_time: T0 + 0.25 }).success).toBe(false);
  });

  it('enforces the per-series value ranges', () => {
    expect(FundamentalsRow.safeParse({ ...validPit.fundamentals, fiscal_period: '2023-Q1' }).success).toBe(
      false,
    );
    expect(FundamentalsRow.safeParse({ ...validPit.fundamentals, revision: -1 }).success).toBe(false);
    expect(FundamentalsRow.safeParse({ ...validPit.fundamentals, revision: 1.5 }).success).toBe(false);
    expect(MacroRow.safeParse({ ...validPit.macro, actual: null }).success).toBe(false);
    expect(SentimentRow.safeParse({ ...validPit.sentiment, score: 1.01 }).success).toBe(false);
    expect(SentimentRow.safeParse({ ...validPit.sentiment, news_count: 1.5 }).success).toBe(false);
    expect(AnalystRow.safeParse({ ...validPit.analyst, rating: 0.5 }).success).toBe(false);
    expect(AnalystRow.safeParse({ ...validPit.analyst, rating: 5.5 }).success).toBe(false);
    expect(CorporateActionRow.safeParse({ ...validPit.corporate_actions, action: 'dividend' }).success).toBe(
      false,
    );
    expect(CorporateActionRow.safeParse({ ...validPit.corporate_actions, ratio: 0 }).success).toBe(false);
    expect(TrapRow.safeParse({ ...validPit.trap, value: Number.NaN }).success).toBe(false);
  });
});

describe('schemas: CorporateActionRow (splits and delistings)', () => {
  const delisting = { symbol: 'AAL', ...times, action: 'delisting', last_price: 12.5 };

  it('accepts a delisting with or without its price and return, and reads a missing action as a split', () => {
    expect(CorporateActionRow.safeParse(delisting).success).toBe(true);
    expect(
      CorporateActionRow.safeParse({ ...delisting, last_price: null, delisting_return: -0.3 }).success,
    ).toBe(true);
    const { last_price: _p, ...bare } = delisting;
    expect(CorporateActionRow.safeParse(bare).success).toBe(true);
    const { action: _a, ...legacy } = validPit.corporate_actions;
    expect(CorporateActionRow.parse(legacy).action).toBe('split');
  });

  it('rejects a row whose columns do not fit its action, naming the column', () => {
    const issuePath = (row: unknown) => CorporateActionRow.safeParse(row).error?.issues[0]?.path;
    expect(issuePath({ ...delisting, ratio: 2 })).toEqual(['ratio']);
    expect(issuePath({ ...delisting, last_price: 0 })).toEqual(['last_price']);
    expect(issuePath({ ...delisting, delisting_return: -1.5 })).toEqual(['delisting_return']);
    expect(issuePath({ ...validPit.corporate_actions, ratio: null })).toEqual(['ratio']);
    expect(issuePath({ ...validPit.corporate_actions, last_price: 10 })).toEqual(['last_price']);
    expect(issuePath({ ...validPit.corporate_actions, action: 'merger' })).toEqual(['action']);
  });
});

describe('schemas: PIT_SERIES', () => {
  it.each(PIT_SERIES_NAMES)('%s lists its entity column and exactly its numeric value columns', (name) => {
    const meta = PIT_SERIES[name];
    const keys = Object.keys(PIT_ROW_SCHEMAS[name].shape);
    expect(keys).toContain(meta.entityColumn);
    for (const t of PIT_TIME_COLUMNS) expect(keys).toContain(t);
    const nonValue = new Set<string>([meta.entityColumn, ...PIT_TIME_COLUMNS, 'fiscal_period']);
    expect([...meta.valueColumns].sort()).toEqual(keys.filter((k) => !nonValue.has(k)).sort());
    // Every value column of the sample row is a number, null or missing (NaN in the table), or a label of a
    // coded column (its index in the table).
    const sample = validPit[name] as Record<string, unknown>;
    for (const c of meta.valueColumns) {
      const labels = meta.codedColumns?.[c];
      if (labels) expect(labels).toContain(sample[c]);
      else expect(sample[c] == null || typeof sample[c] === 'number').toBe(true);
    }
  });

  it('uses series as the entity of macro only, and lets only corporate actions precede their event', () => {
    const bySeries = PIT_SERIES_NAMES.filter((n) => PIT_SERIES[n].entityColumn === 'series');
    expect(bySeries).toEqual(['macro']);
    expect(PIT_SERIES_NAMES.filter((n) => PIT_SERIES[n].releaseMayPrecedeEvent)).toEqual([
      'corporate_actions',
    ]);
    expect(Object.keys(PIT_SERIES).sort()).toEqual([...PIT_SERIES_NAMES].sort());
  });
});
