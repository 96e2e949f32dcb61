/**
 * Signal charts from the models stage's diagnostics (diagnostics.ts): IC and rank IC by walk-forward fold,
 * forward returns by score decile, IC decay over horizons and feature importance. Each says why it is not
 * drawn when the run has no diagnostics (e.g. fixed targets, no model) or the part it needs.
 */
import { z } from 'zod';
import {
  barsShape,
  chartSchema,
  okHead,
  roundValue,
  Series,
  unavailable,
  Value,
  ValueFormat,
} from './chart-schema.ts';
import { type DiagnosticsInput, SignalDiagnostics } from './diagnostics.ts';

export const IcByFoldPayload = chartSchema('ic-by-fold', {
  ...barsShape,
  observations: z.array(z.number().int()),
});
export type IcByFoldPayload = z.infer<typeof IcByFoldPayload>;
export const DecileSpreadsPayload = chartSchema('decile-spreads', {
  ...barsShape,
  horizonBars: z.number().int(),
  topMinusBottom: Value,
});
export type DecileSpreadsPayload = z.infer<typeof DecileSpreadsPayload>;
export const IcDecayPayload = chartSchema('ic-decay', {
  kind: z.literal('xy'),
  x: z.array(z.number()),
  xLabel: z.string(),
  series: z.array(Series).min(1),
  format: ValueFormat,
});
export type IcDecayPayload = z.infer<typeof IcDecayPayload>;
export const FeatureImportancePayload = chartSchema('feature-importance', {
  ...barsShape,
  method: z.string(),
  totalFeatures: z.number().int(),
});
export type FeatureImportancePayload = z.infer<typeof FeatureImportancePayload>;

/** The run's diagnostics (validated), or why the signal charts are not drawn. */
export type Diagnostics = { ok: true; d: SignalDiagnostics } | { ok: false; reason: string };

export function diagnosticsOf(input: DiagnosticsInput | undefined): Diagnostics {
  if (input === undefined) return { ok: false, reason: 'the models stage supplied no signal diagnostics' };
  if (!input.available) return { ok: false, reason: input.reason };
  return { ok: true, d: SignalDiagnostics.parse(input.diagnostics) };
}

export function icByFold(diag: Diagnostics): IcByFoldPayload {
  const title = 'IC and rank IC by fold';
  const description =
    'Mean cross-sectional information coefficient (Pearson) and rank IC (Spearman) of the scores against forward excess returns, per walk-forward fold (out of sample).';
  if (!diag.ok) return unavailable('ic-by-fold', title, description, diag.reason);
  const folds = diag.d.folds;
  if (folds === undefined || folds.length === 0) {
    return unavailable('ic-by-fold', title, description, 'the diagnostics have no per-fold IC');
  }
  return {
    ...okHead('ic-by-fold', title, `${description} Horizon ${diag.d.horizonBars} bars.`),
    kind: 'bars',
    categories: folds.map((f) => `${f.foldId} (${f.testStart.slice(0, 7)})`),
    series: [
      { id: 'ic', label: 'IC', values: folds.map((f) => roundValue(f.ic)) },
      { id: 'rank-ic', label: 'Rank IC', values: folds.map((f) => roundValue(f.rankIc)) },
    ],
    format: 'ratio',
    stacked: false,
    orientation: 'vertical',
    observations: folds.map((f) => f.observations),
  };
}

export function decileSpreads(diag: Diagnostics): DecileSpreadsPayload {
  const title = 'Forward return by score decile';
  const description =
    'Mean forward excess return (vs SPY) of each score decile, 1 = lowest scores, 10 = highest, out of sample.';
  if (!diag.ok) return unavailable('decile-spreads', title, description, diag.reason);
  const dec = diag.d.deciles;
  if (dec === undefined)
    return unavailable('decile-spreads', title, description, 'the diagnostics have no deciles');
  const v = dec.meanForwardReturn;
  const top = v[9];
  const bottom = v[0];
  return {
    ...okHead('decile-spreads', title, `${description} Horizon ${diag.d.horizonBars} bars.`),
    kind: 'bars',
    categories: v.map((_, i) => `D${i + 1}`),
    series: [
      { id: 'mean-forward-return', label: 'Mean forward excess return', values: v.map((x) => roundValue(x)) },
    ],
    format: 'percent',
    stacked: false,
    orientation: 'vertical',
    horizonBars: diag.d.horizonBars,
    topMinusBottom:
      top === null || top === undefined || bottom === null || bottom === undefined
        ? null
        : roundValue(top - bottom),
  };
}

export function icDecay(diag: Diagnostics): IcDecayPayload {
  const title = 'IC decay';
  const description = 'IC and rank IC of the same scores against forward returns at longer horizons.';
  if (!diag.ok) return unavailable('ic-decay', title, description, diag.reason);
  const dec = diag.d.icDecay;
  if (dec === undefined)
    return unavailable('ic-decay', title, description, 'the diagnostics have no IC decay');
  const sorted = [...dec].sort((a, b) => a.horizonBars - b.horizonBars);
  return {
    ...okHead('ic-decay', title, description),
    kind: 'xy',
    x: sorted.map((d) => d.horizonBars),
    xLabel: 'horizon (bars)',
    series: [
      { id: 'ic', label: 'IC', values: sorted.map((d) => roundValue(d.ic)) },
      { id: 'rank-ic', label: 'Rank IC', values: sorted.map((d) => roundValue(d.rankIc)) },
    ],
    format: 'ratio',
  };
}

export function featureImportance(diag: Diagnostics, top: number): FeatureImportancePayload {
  const title = 'Feature importance';
  const description = `The ${top} most important features.`;
  if (!diag.ok) return unavailable('feature-importance', title, description, diag.reason);
  const fi = diag.d.featureImportance;
  if (fi === undefined || fi.features.length === 0) {
    return unavailable('feature-importance', title, description, 'the model reported no feature importance');
  }
  const ranked = [...fi.features]
    .sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance) || (a.name < b.name ? -1 : 1))
    .slice(0, top);
  return {
    ...okHead('feature-importance', title, `${description} Method: ${fi.method}.`),
    kind: 'bars',
    categories: ranked.map((f) => f.name),
    series: [{ id: 'importance', label: 'Importance', values: ranked.map((f) => roundValue(f.importance)) }],
    format: 'number',
    stacked: false,
    orientation: 'horizontal',
    method: fi.method,
    totalFeatures: fi.features.length,
  };
}
