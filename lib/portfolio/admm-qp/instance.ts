/**
 * Loading the per-hour instance into the workspace. NaN policy: a NaN score (q_i) means "no view": that name's
 * upper bound is taken as 0 and its weight is 0. Any other non-finite or negative input where a finite non-negative
 * one is required gives `degenerate_input`; budget < 0 or u_i < 0 gives `infeasible`. Wrong array lengths are
 * programming errors and throw.
 */
import { InvalidInputError } from '../../core/index.ts';
import type { QpFailure, QpInstance } from './types.ts';
import type { QpWorkspace } from './workspace.ts';

/** The instance is loaded; `qInf` = ‖lin‖∞ of the scaled linear term. */
export type InstanceLoad = { readonly ok: true; readonly qInf: number } | QpFailure;

const failure = (reason: 'infeasible' | 'degenerate_input', message: string): QpFailure => ({
  ok: false,
  reason,
  message,
  iterations: 0,
});

/** Loads the budget, the sector penalty and the per-name q and u (unscaled) and lin = −c q (scaled). */
export function loadInstance(ws: QpWorkspace, inst: QpInstance): InstanceLoad {
  const n = ws.n;
  if (inst.linear.length < n || inst.upper.length < n) {
    throw new InvalidInputError(
      `linear and upper must have length >= ${n}, received ${inst.linear.length} and ${inst.upper.length}`,
    );
  }
  const budget = inst.budget;
  if (Number.isNaN(budget)) return failure('degenerate_input', 'budget is NaN');
  if (budget < 0) return failure('infeasible', `budget must be >= 0, received ${budget}`);
  const sectorFailure = loadSectorPenalty(ws, inst);
  if (sectorFailure !== undefined) return sectorFailure;
  ws.budget = Number.isFinite(budget) ? budget : Number.MAX_VALUE;
  return loadNames(ws, inst);
}

/** λ, band and the sector benchmark (λ is 0 without sectors). */
function loadSectorPenalty(ws: QpWorkspace, inst: QpInstance): QpFailure | undefined {
  const nS = ws.nS;
  const lambda = inst.sectorPenalty ?? 0;
  const band = inst.sectorBand ?? 0;
  if (!Number.isFinite(lambda) || lambda < 0 || !Number.isFinite(band) || band < 0) {
    return failure(
      'degenerate_input',
      `sectorPenalty and sectorBand must be finite and >= 0, received ${lambda} and ${band}`,
    );
  }
  ws.lambda = nS > 0 ? lambda : 0;
  ws.band = band;
  if (ws.lambda > 0) {
    const b = inst.sectorBench;
    if (b === undefined || b.length < nS) {
      throw new InvalidInputError(`sectorBench must have length >= ${nS} when sectorPenalty > 0`);
    }
    for (let s = 0; s < nS; s++) {
      const v = b[s] as number;
      if (!Number.isFinite(v)) return failure('degenerate_input', `sectorBench[${s}] = ${v}`);
      ws.bench[s] = v;
    }
  }
  return undefined;
}

/** Per name: q (NaN → no view: q = 0, u = 0), u (∞ → the largest double) and the scaled lin = −c q. */
function loadNames(ws: QpWorkspace, inst: QpInstance): InstanceLoad {
  const n = ws.n;
  const c = ws.costScale;
  let qInf = 0;
  for (let i = 0; i < n; i++) {
    const q = inst.linear[i] as number;
    const u = inst.upper[i] as number;
    if (Number.isNaN(u)) return failure('degenerate_input', `upper[${i}] is NaN`);
    if (u < 0) return failure('infeasible', `upper[${i}] must be >= 0, received ${u}`);
    if (Number.isNaN(q)) {
      ws.qRaw[i] = 0;
      ws.up[i] = 0;
    } else if (!Number.isFinite(q)) {
      return failure('degenerate_input', `linear[${i}] = ${q}`);
    } else {
      ws.qRaw[i] = q;
      ws.up[i] = u === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : u;
    }
    ws.lin[i] = -c * (ws.qRaw[i] as number);
    qInf = Math.max(qInf, Math.abs(ws.lin[i] as number));
  }
  return { ok: true, qInf };
}
