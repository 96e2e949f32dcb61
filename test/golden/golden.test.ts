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

// Recorded at 9f4abde (before the architecture refactor); metrics.json and report.html re-recorded after the
// synthetic market gained delisting rows (they state the dataset id; every trading artifact kept its bytes).
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
  'metrics.json': '59ebae37d38f710a85de4fecf4fdd3626cf52d0e6d6094f6408c54cbc3087ef5',
  'folds.json': '502502e38eb28a28b617b17f3251de2cd7cd06e97d1757341f0ddbbe38137c31',
  'report.html': '7ec2ec6f7b8d4aa8746e2c66e9dd554d4d7d7fafe54dd29d23a60208f926a88e',
  'charts.json': '73c8b901e913ca6f3c81108f9f88a8610cf36ee7f0d1c9253d5317abe34a800c',
};

// Recorded at 9f4abde with HTS_GOLDEN_10Y=1 (2015–2024, every index member; ~10 minutes).
const TEN_YEARS: Record<string, string> = {
  'equity_curve.parquet': '26e55bc68e43203ac85a6aef832dd15c70b71912a729483b7b75f3e7fc992791',
  'equity_curve.csv': '292bb6923699f745bc4b6fd9824f58177b527fcff675b5d312347b4373df3131',
  'fills.parquet': 'cc23df424b7b3af113f3b91be00abbc47d5877c418b27d041fa200c6b4da2cac',
  'fills.csv': '10f11cedc83d5388fd51c3a141ec9c65c400ed6aace1353650bf55b215d851d4',
  'weights.parquet': '08e81b88bc3da9777de0b86909d3be5459e6ebe3a3ca47e1f9918e90c26bbfb5',
  'weights.csv': '26a76a8b2f18e589e3d017a4011843ff5d0c368bf9a6d8712c34948081f522a2',
  'risk_history.parquet': '78e0109c92dfc85424075d2d3ff8efa0b8eb89793e330f3f9e63a14fbdc30ad6',
  'risk_history.csv': 'b4385541f5bb4c9a5358825e27d2d431b371c464acdca581824e3bbc266fb62b',
  'monthly_returns.parquet': 'c0e00e7ba2d1d8acbdcb7a4597ffc6e4ae3d6e3d9f97559589ae964ea8051e81',
  'monthly_returns.csv': 'e3e730d530736e6dfe95b42cfad0382fbb80e80a85fad13454f4ebb28daea725',
  'metrics.json': 'bf7f279bee4d923f762cf88a744b8d63f16c1a4fc60ba9343f3ed80cfc63f4a0',
  'folds.json': 'd96cf9e783694ca50e69f190cf1720614836ca49abcb0909f1ec8f75369c7663',
  'report.html': '7dcc37359e2056124fa3066ad6161c2aa51d3a3fd9f1c141dac49d294e960edf',
  'charts.json': '27d73fe8d8ba88f95ef10c07aec6112467eec84bad73ba80c492aa5c8f573f37',
};

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
