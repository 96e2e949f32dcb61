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
import { type GoldenRun, goldenRun } from './golden-run.ts';
import { measurePromises } from './promises.ts';

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

// Recorded at 9f4abde (before the architecture refactor), held through it; metrics.json and report.html re-recorded
// after the synthetic market gained delisting rows (they state the dataset id); all re-recorded when issue 13 made
// each hour's decision a holdings-aware trade optimisation (the strategy changed on purpose; folds.json kept its
// bytes: the models are the same), with its new artifacts (targets, portfolio_diagnostics.json).
const DEMO: Record<string, string> = {
  'equity_curve.parquet': '01a3e46f3e45366b522ce4929684bc5448cef31c148e6f0f73f6598606a16d16',
  'equity_curve.csv': 'd2ae20e6f2afc214449bf0a9d2dd39fb4fb411784fdd06577bc526fc4a1b9f95',
  'fills.parquet': '19544459d46d3aa85d27135a129bd731dc14e8eb99bdd46146ce8d074eaf71ea',
  'fills.csv': '0d994ad73f77744f96d508d5594dd41946e8e7610e9ed46b007f61761033dd52',
  'weights.parquet': '6e4c47f4d5906620fbc712dadd6a271c231fe514113ac7aec103e29c2e9219f3',
  'weights.csv': 'c5c08273996462ce057da1644419fc01d65e67aa3fb9624e84540ad9f9b5e681',
  'risk_history.parquet': 'afe08c139ed272e5a1b84787ef8066ac90544f1b24916b669bd1455921d8c504',
  'risk_history.csv': '7adc6d0898f1d2b8bcce33dc7c72909baf4d996c30c5697430ee24f81a3875c7',
  'monthly_returns.parquet': 'cc29fa93be985193e1be2b24c79d97832cc5c204afb68f473b976c147d3ae60b',
  'monthly_returns.csv': 'fe4f7517615aafad4bbd79f72dd57db14113dc9e9d7e6f572832a7796e34b1e4',
  'targets.parquet': 'c6e721ecc7ed3d2d8127815051ed5641e385c9e3fb19c0dcf1096c3cdf6732ab',
  'targets.csv': '95b403654e8cbb864f45e49233fa5e55c2979c69c1c41db38ca57532c4b2fed4',
  'metrics.json': 'd79afa515126ee209f1f1d98719b6f7d7b7ab70f1dd5882763dd9a5fc614cb0f',
  'portfolio_diagnostics.json': 'bebf0ab0020dec5952c4a18768c8d600e0ec76c0c4a3e9ecf9a5c07df73a02f9',
  'folds.json': '502502e38eb28a28b617b17f3251de2cd7cd06e97d1757341f0ddbbe38137c31',
  'report.html': 'e3f59e73bafc50f6d0cc556f7462938070a66d41ae25e4295dbb733949d9b0af',
  'charts.json': 'e0c72b2e0da11f377657e48604b407d2b148febbc6590a04a6fd95b896ef6226',
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

/**
 * What the spec promises, on what was traded (issue 13's acceptance): realised daily volatility in every calendar
 * quarter spent in `normal` within [low − 2 pp, high + 2 pp]; the orders build the decided book within 0.01 (Σ|Δw|)
 * except where fills were partial; decided weights within their caps; the ex-ante volatility of every solved hour
 * at or under the ceiling; each hour's turnover within the cap (plus what de-risking forced); no failed hour.
 */
function expectPromisesKept(run: GoldenRun, label: string): ReturnType<typeof measurePromises> {
  const p = measurePromises(run);
  console.log(`${label}: ${JSON.stringify(p)}`);
  const full = p.quarters.filter((q) => q.sessions >= 20);
  expect(full.length).toBeGreaterThan(0);
  for (const q of full) {
    expect(q.vol, q.quarter).toBeGreaterThanOrEqual(p.band.low - 0.02);
    expect(q.vol, q.quarter).toBeLessThanOrEqual(p.band.high + 0.02);
  }
  expect(p.orderGapMax).toBeLessThanOrEqual(0.01);
  expect(p.decidedAboveCap).toBe(0);
  expect(p.exAnteAboveCeiling).toBe(0);
  expect(p.turnoverAboveCap).toBe(0);
  expect(p.failedHours).toBe(0);
  return p;
}

describe('golden: artifacts are byte-identical', () => {
  let demo: Promise<GoldenRun> | undefined;
  const demoRun = (): Promise<GoldenRun> => {
    demo ??= (async () => {
      const dir = join(tmp, 'demo');
      const ds = await generateDataset({
        out: dir,
        start: '2023-01-01',
        end: '2024-12-31',
        seed: 7,
        progress: false,
      });
      return goldenRun(dir, ds.datasetId, join(examples, 'demo.json'));
    })();
    return demo;
  };

  it('the demo (examples/demo.json on the demo dataset, 2023–2024, seed 7)', async () => {
    check((await demoRun()).digests, DEMO);
  }, 600_000);

  it('the demo keeps the spec’s promises on the traded book, with 5× fewer fills per bar than before', async () => {
    const p = expectPromisesKept(await demoRun(), 'demo');
    // before issue 13 the demo sent a median of 127 fills per bar (the uniform step toward a 15-name target)
    expect(p.medianFillsPerBar).toBeLessThanOrEqual(127 / 5);
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
      const run = await goldenRun(dir, ds.datasetId, join(examples, '10y-full.json'));
      check(run.digests, TEN_YEARS);
      expectPromisesKept(run, '10y');
    },
    3_600_000,
  );
});
