/**
 * Golden artifacts: the demo spec on the demo dataset (and, with HTS_GOLDEN_10Y=1, the 10-year spec on the 10-year
 * dataset), run in process, every artifact's sha256 pinned. A refactor must leave every byte where it was; a change
 * to the strategy updates these hashes in the same commit and says why.
 * HTS_GOLDEN_PRINT=1 prints the digests instead of asserting them (to record new ones).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../local/cli/commands/data.ts';
import { goldenRun } from './golden-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hts-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const examples = join(import.meta.dirname, '..', '..', 'examples');

const check = (got: Record<string, string>, want: Record<string, string>) => {
  if (process.env.HTS_GOLDEN_PRINT) {
    console.log(JSON.stringify(got, null, 2));
    return;
  }
  expect(got).toEqual(want);
};

// Recorded at 9f4abde (before the architecture refactor).
const DEMO: Record<string, string> = {
  'equity_curve.parquet': '62b4e4df7e18a77241e05719cc0ec611e5e2dfdb3798bcd5c07e015be453dbad',
  'equity_curve.csv': 'd303601553c604d5e330445cf087d32adac645b78a835fc1c9a8865f3fcf69d7',
  'fills.parquet': 'd227bde77d44e1dc50be958dd469db99fed278b67528c8b09bc67d762446f738',
  'fills.csv': '9f4f4703dde48f61d35d1f218638f64bd873cd20db9f86332da76296910029ae',
  'weights.parquet': '2c221281098dd4aa4ffd980425f8ece304b6dd4bb05a0242c5a16ffbb698aba6',
  'weights.csv': '155cad2556502710f13cdfe8c638a7943abf5310f1eb95a2e2964dc39f35f374',
  'risk_history.parquet': '37f407db09c672bc3535206101b93109b3554f0e0ea555a60e6ac02d1d97dcbe',
  'risk_history.csv': '68c8645bd6c759e2ff7d3951161637801ff72ec2e42454b069d35114c3da09b1',
  'monthly_returns.parquet': '1641276e064859c8249ac98277d714aac86a2dac9c9f62e0b55bfb101486b67a',
  'monthly_returns.csv': '537819faf9f46f56e5bb90676e2e21a8fb6b148eaf4cd9a5ebbca6b25f519e8a',
  'metrics.json': 'fdf5f062b1f79b963b917748d8fda875651b680666bc3f2a7105ebf787c28c69',
  'folds.json': '502502e38eb28a28b617b17f3251de2cd7cd06e97d1757341f0ddbbe38137c31',
  'report.html': '191e94a7741cde51a513542f70dd7601e2ed037cae17936ede2f69e05c67a386',
  'charts.json': '73c8b901e913ca6f3c81108f9f88a8610cf36ee7f0d1c9253d5317abe34a800c',
};

// Recorded at 9f4abde with HTS_GOLDEN_10Y=1 (2015–2024, every index member; ~10 minutes).
const TEN_YEARS: Record<string, string> = {};

describe('golden: artifacts are byte-identical', () => {
  it('the demo (examples/demo.json on the demo dataset, 2023–2024, seed 7)', async () => {
    const dir = join(tmp, 'demo');
    const ds = await generateDataset({
      out: dir,
      start: '2023-01-01',
      end: '2024-12-31',
      seed: 7,
      progress: false,
    });
    check(await goldenRun(dir, ds.datasetId, join(examples, 'demo.json')), DEMO);
  }, 600_000);

  it.runIf(process.env.HTS_GOLDEN_10Y === '1')(
    'the 10-year run (examples/10y-full.json, 2015–2024)',
    async () => {
      const dir = join(tmp, '10y');
      const ds = await generateDataset({
        out: dir,
        start: '2014-01-01',
        end: '2024-12-31',
        seed: 7,
        progress: false,
      });
      check(await goldenRun(dir, ds.datasetId, join(examples, '10y-full.json')), TEN_YEARS);
    },
    3_600_000,
  );
});
