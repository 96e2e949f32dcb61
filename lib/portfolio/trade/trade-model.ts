/**
 * Loads a factor risk model into a `TradeProblem`: B·L with F = L Lᵀ, the specific variances and the sectors.
 * F's root is an outer-product Cholesky that accepts a positive semidefinite F: a pivot at rounding level
 * (≤ 1e-12 of the largest diagonal) is taken as zero and its column left empty, so the product B·L·(B·L)ᵀ
 * still equals B F Bᵀ; a clearly negative pivot means F is not PSD.
 */

import { InvalidInputError } from '../../core/index.ts';
import type { TradeRiskModel, TradeSectors } from './trade-optimizer.ts';
import type { TradeProblem } from './trade-problem.ts';

/**
 * Writes the model into `p`. Wrong dimensions, lengths or sector codes throw `InvalidInputError` (programming
 * errors); bad values return a message (the solves then report `degenerate_input`).
 */
export function factorModelInto(
  p: TradeProblem,
  model: TradeRiskModel,
  sectors: TradeSectors | undefined,
): string | undefined {
  const { n, k, loadings, factorCov, specificVar } = model;
  const nS = sectors?.nSectors ?? 0;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || !Number.isInteger(nS) || nS < 0) {
    throw new InvalidInputError(`n, k, nSectors must be non-negative integers, received ${n}, ${k}, ${nS}`);
  }
  if (loadings.length !== n * k || factorCov.length !== k * k || specificVar.length !== n) {
    throw new InvalidInputError(
      `expected loadings ${n * k}, factorCov ${k * k}, specificVar ${n} values, received ${loadings.length}, ${factorCov.length}, ${specificVar.length}`,
    );
  }
  if (sectors !== undefined && sectors.sector.length !== n) {
    throw new InvalidInputError(`sector must have length ${n}, received ${sectors.sector.length}`);
  }
  p.resize(n, k, nS);
  for (let i = 0; i < n; i++) {
    const s = sectors === undefined ? 0 : (sectors.sector[i] as number);
    if (sectors !== undefined && !(s >= 0 && s < nS)) {
      throw new InvalidInputError(`sector[${i}] must be in [0, ${nS}), received ${s}`);
    }
    p.sector[i] = s;
  }
  const root = new Float64Array(k * k);
  const err = psdRoot(factorCov, k, root);
  if (err !== undefined) return err;
  let sumDiag = 0;
  for (let i = 0; i < n; i++) {
    const si = specificVar[i] as number;
    if (!(si >= 0 && Number.isFinite(si))) return `specificVar[${i}] must be finite and >= 0, received ${si}`;
    p.spec[i] = si;
    let row = 0;
    for (let f = 0; f < k; f++) {
      let v = 0;
      for (let g = f; g < k; g++) v += (loadings[i * k + g] as number) * (root[g * k + f] as number);
      if (!Number.isFinite(v)) return `loadings row ${i} is not finite`;
      p.bl[i * k + f] = v;
      row += v * v;
    }
    sumDiag += row + si;
  }
  p.meanDiagSigma = n > 0 ? sumDiag / n : 0;
  return undefined;
}

/** Lower-triangular L (row-major) with F = L Lᵀ for a symmetric PSD F; a message when F is not PSD or finite. */
function psdRoot(F: Float64Array, k: number, L: Float64Array): string | undefined {
  let scale = 0;
  for (let j = 0; j < k * k; j++)
    if (!Number.isFinite(F[j] as number)) return `factorCov[${j}] is not finite`;
  for (let j = 0; j < k; j++) scale = Math.max(scale, F[j * k + j] as number);
  const zeroPivot = 1e-12 * Math.max(scale, 1e-300);
  for (let col = 0; col < k; col++) {
    let pivot = F[col * k + col] as number;
    for (let c = 0; c < col; c++) pivot -= (L[col * k + c] as number) ** 2;
    if (pivot < -1e-9 * Math.max(scale, 1e-300)) {
      return `factorCov is not positive semidefinite (pivot ${pivot} at ${col})`;
    }
    if (pivot <= zeroPivot) continue;
    const d = Math.sqrt(pivot);
    L[col * k + col] = d;
    for (let row = col + 1; row < k; row++) {
      let v = 0.5 * ((F[row * k + col] as number) + (F[col * k + row] as number));
      for (let c = 0; c < col; c++) v -= (L[row * k + c] as number) * (L[col * k + c] as number);
      L[row * k + col] = v / d;
    }
  }
  return undefined;
}
