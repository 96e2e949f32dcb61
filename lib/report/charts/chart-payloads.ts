/**
 * Dashboard payloads: the JSON behind each chart of the report, one versioned zod schema per chart id
 * (`schemaVersion: 1`), built by theme (headline, performance, risk, exposure, trading, portfolio, models). The same
 * payloads are rendered into report.html and written to charts.json, which the API serves
 * (`GET /v1/backtests/{runId}/charts/{chartId}`). Time axes are epoch ms UTC of session closes; see
 * downsample.ts for how hourly bars become display points.
 */
import type { z } from 'zod';
import type { MetricsReport } from '../../analytics/index.ts';
import type { PortfolioDiagnostics } from '../../artifacts/index.ts';
import { type ChartOptions, chartContext } from './chart-context.ts';
import { CHART_IDS, type ChartId } from './chart-schema.ts';
import type { DiagnosticsInput } from './diagnostics.ts';
import {
  ExposurePayload,
  exposure,
  SectorWeightsPayload,
  sectorWeights,
  TopHoldingsPayload,
  topHoldings,
} from './exposure.ts';
import { HeadlinePayload, headline } from './headline.ts';
import {
  DecileSpreadsPayload,
  decileSpreads,
  diagnosticsOf,
  FeatureImportancePayload,
  featureImportance,
  IcByFoldPayload,
  IcDecayPayload,
  icByFold,
  icDecay,
} from './models.ts';
import {
  EquityPayload,
  equity,
  MonthlyReturnsPayload,
  monthlyReturns,
  RollingSharpePayload,
  RollingVolatilityPayload,
  rollingSharpe,
  rollingVolatility,
} from './performance.ts';
import {
  ConstraintActivityPayload,
  constraintActivity,
  ExAnteVolatilityPayload,
  exAnteVolatility,
  type TargetVol,
} from './portfolio.ts';
import type { ReportTables } from './report-tables.ts';
import { DrawdownPayload, drawdown } from './risk.ts';
import { CostsPayload, costs, TurnoverPayload, turnover } from './trading.ts';

export const ChartPayloadSchemas = {
  headline: HeadlinePayload,
  equity: EquityPayload,
  drawdown: DrawdownPayload,
  'rolling-sharpe': RollingSharpePayload,
  'rolling-volatility': RollingVolatilityPayload,
  'ex-ante-volatility': ExAnteVolatilityPayload,
  'monthly-returns': MonthlyReturnsPayload,
  exposure: ExposurePayload,
  'sector-weights': SectorWeightsPayload,
  'top-holdings': TopHoldingsPayload,
  turnover: TurnoverPayload,
  costs: CostsPayload,
  'constraint-activity': ConstraintActivityPayload,
  'ic-by-fold': IcByFoldPayload,
  'decile-spreads': DecileSpreadsPayload,
  'ic-decay': IcDecayPayload,
  'feature-importance': FeatureImportancePayload,
} as const satisfies Record<ChartId, z.ZodType>;

export type ChartPayloads = { [K in ChartId]: z.infer<(typeof ChartPayloadSchemas)[K]> };
export type ChartPayload = ChartPayloads[ChartId];
export type OkPayload<K extends ChartId> = Extract<ChartPayloads[K], { status: 'ok' }>;

/** Validates a payload (e.g. one read back from storage) against its chart's schema. */
export function parseChartPayload<K extends ChartId>(chartId: K, json: unknown): ChartPayloads[K] {
  return ChartPayloadSchemas[chartId].parse(json) as ChartPayloads[K];
}

export interface ChartInputs {
  readonly tables: ReportTables;
  /** metrics.json of the run (`computeMetrics` via `runMetrics`). */
  readonly metrics: MetricsReport;
  /** Symbol → GICS sector name; absent: the sector chart says it is not available. */
  readonly sectorBySymbol?: Readonly<Record<string, string>>;
  /** Signal diagnostics from the models stage, or why there are none; absent: not supplied. */
  readonly diagnostics?: DiagnosticsInput;
  /** The decision records' document (portfolio_diagnostics.json); absent: the portfolio charts say so. */
  readonly portfolio?: PortfolioDiagnostics;
  /** The spec's annualised volatility band (`portfolio.targetVol`), drawn on the volatility chart. */
  readonly targetVol?: TargetVol;
  readonly options?: ChartOptions;
}

/** Builds every chart's payload from the run's artifact tables, its metrics, its decisions and its diagnostics. */
export function buildChartPayloads(inputs: ChartInputs): ChartPayloads {
  const ctx = chartContext(inputs.tables, inputs.metrics, inputs.options);
  const diag = diagnosticsOf(inputs.diagnostics);
  const payloads: ChartPayloads = {
    headline: headline(ctx),
    equity: equity(ctx),
    drawdown: drawdown(ctx),
    'rolling-sharpe': rollingSharpe(ctx),
    'rolling-volatility': rollingVolatility(ctx),
    'ex-ante-volatility': exAnteVolatility(ctx, inputs.portfolio, inputs.targetVol),
    'monthly-returns': monthlyReturns(ctx),
    exposure: exposure(ctx),
    'sector-weights': sectorWeights(ctx, inputs.sectorBySymbol),
    'top-holdings': topHoldings(ctx, inputs.sectorBySymbol),
    turnover: turnover(ctx),
    costs: costs(ctx),
    'constraint-activity': constraintActivity(inputs.portfolio),
    'ic-by-fold': icByFold(diag),
    'decile-spreads': decileSpreads(diag),
    'ic-decay': icDecay(diag),
    'feature-importance': featureImportance(diag, ctx.options.topFeatures),
  };
  // The builders and the schemas must agree: a payload that does not parse is a bug here, not bad input.
  for (const id of CHART_IDS) ChartPayloadSchemas[id].parse(payloads[id]);
  return payloads;
}
