/**
 * Small universes for end-to-end fixtures: long-standing S&P 500 members (no entries or exits in 2023–2024, so
 * runs over those years have a stable universe), across sectors.
 */
export const STEADY_MEMBERS = [
  'AAPL',
  'MSFT',
  'NVDA',
  'AMZN',
  'JPM',
  'BAC',
  'XOM',
  'CVX',
  'JNJ',
  'PFE',
  'PG',
  'KO',
  'WMT',
  'HD',
] as const;

/** A smaller mix with the benchmark, for step-by-step workflow tests. */
export const STEP_TEST_SYMBOLS = [
  'AAPL',
  'MSFT',
  'NVDA',
  'JPM',
  'XOM',
  'JNJ',
  'PG',
  'KO',
  'WMT',
  'HD',
  'CAT',
  'IBM',
  'T',
  'SPY',
] as const;
