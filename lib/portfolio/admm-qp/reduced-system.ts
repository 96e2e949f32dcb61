/**
 * The equality-constrained QP on an active set (the polish's and the active-set method's solve): H = P + 2λ Σ_act g gᵀ
 * restricted to the free names, solved by Woodbury with its own capacitance factor plus iterative refinement.
 */
import { choleskyInPlace, choleskySolveInPlace } from '../../core/index.ts';
import type { QpWorkspace } from './workspace.ts';

/**
 * Solves the equality-constrained QP on the current active set into `pw`; returns the budget multiplier ν (0 when
 * the budget is inactive) or undefined when the reduced system is singular. H = P + 2λ Σ_{active s} g_s g_sᵀ on
 * the free names F, solved by Woodbury on diag(γ s + d) + [√γ B L, √(2λ) G_act] [...]ᵀ restricted to F with a tiny
 * diagonal regularisation and three steps of iterative refinement against the exact H_FF. Everything after the
 * fixed part works on the compact free list (`freeIdx`; vectors indexed by position in it), so a round costs
 * O(n) plus O(|F| k²) rather than O(n k²).
 */
export function solveReduced(ws: QpWorkspace, budgetActive: boolean): number | undefined {
  const nFree = gatherFixed(ws);
  if (nFree === 0) return 0;
  const withSec = ws.nS > 0 && 2 * ws.lambda > 0;
  reducedRhs(ws, nFree, withSec);
  if (!factorReduced(ws, nFree, withSec)) return undefined;
  const nu = solveRefined(ws, nFree, withSec, budgetActive);
  if (nu === undefined) return undefined;
  const x = ws.pa;
  for (let j = 0; j < nFree; j++) {
    const v = x[j] as number;
    if (!Number.isFinite(v)) return undefined;
    ws.pw[ws.freeIdx[j] as number] = v;
  }
  return budgetActive ? nu : 0;
}

/**
 * The fixed part of the active set: the fixed names' weights into `pw` (0 on the free names), their factor
 * exposure B L w_fixed into `fk`, their sector sums into `psec` and total into `fixedSum`; the free names into
 * `freeIdx`. Returns the number of free names.
 */
function gatherFixed(ws: QpWorkspace): number {
  const { n, k, nS } = ws;
  const status = ws.status;
  const up = ws.up;
  const pw = ws.pw;
  const sec = ws.sector;
  const bl = ws.bl;
  const free = ws.freeIdx;
  const fk = ws.fk;
  const fixedSec = ws.psec;
  let nFree = 0;
  let fixedSum = 0;
  fk.fill(0, 0, k);
  fixedSec.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const st = status[i] as number;
    if (st === 0) {
      free[nFree++] = i;
      pw[i] = 0;
      continue;
    }
    const wi = st === 1 ? (up[i] as number) : 0;
    pw[i] = wi;
    if (wi === 0) continue;
    fixedSum += wi;
    const o = i * k;
    for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * wi;
    if (nS > 0) {
      const s = sec[i] as number;
      fixedSec[s] = (fixedSec[s] as number) + wi;
    }
  }
  ws.fixedSum = fixedSum;
  return nFree;
}

/** r_F = q_F − (H w_fixed)_F + 2λ Σ_act (b_s + side·band) g_s into `pr` (the fixed names' diagonal terms vanish on F). */
function reducedRhs(ws: QpWorkspace, nFree: number, withSec: boolean): void {
  const k = ws.k;
  const free = ws.freeIdx;
  const bl = ws.bl;
  const fk = ws.fk;
  const sec = ws.sector;
  const g = ws.gamma;
  const l2 = 2 * ws.lambda;
  const r = ws.pr;
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const o = i * k;
    let v = 0;
    for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
    let ri = (ws.qRaw[i] as number) - g * v;
    if (withSec) {
      const s = sec[i] as number;
      const side = ws.secAct[s] as number;
      if (side !== 0) ri += l2 * ((ws.bench[s] as number) + side * ws.band - (ws.psec[s] as number));
    }
    r[j] = ri;
  }
}

/** Factorises the capacitance I + Vᵀ D⁻¹ V on F into `pcap` (D = diag(γ s + d) + reg into `pdelta`); false if singular. */
function factorReduced(ws: QpWorkspace, nFree: number, withSec: boolean): boolean {
  const { k, nS } = ws;
  const m = k + nS;
  const free = ws.freeIdx;
  const bl = ws.bl;
  const pd = ws.pdelta;
  const K = ws.pcap;
  const sec = ws.sector;
  const g = ws.gamma;
  const l2 = 2 * ws.lambda;
  const sg = Math.sqrt(g);
  const sl = Math.sqrt(l2);
  const reg = 1e-10 * Math.max(ws.meanDiagP, 1e-300);
  K.fill(0, 0, m * m);
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const d = (ws.diagQ[i] as number) + reg;
    pd[j] = d;
    const inv = 1 / d;
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const va = (bl[o + a] as number) * inv * g;
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
    }
    if (withSec) {
      const s = sec[i] as number;
      if (ws.secAct[s] !== 0) {
        const ss = k + s;
        const c = sl * sg * inv;
        for (let a = 0; a < k; a++) K[ss * m + a] = (K[ss * m + a] as number) + c * (bl[o + a] as number);
        K[ss * m + ss] = (K[ss * m + ss] as number) + l2 * inv;
      }
    }
  }
  for (let a = 0; a < m; a++) K[a * m + a] = (K[a * m + a] as number) + 1;
  return choleskyInPlace(K, m);
}

/**
 * Solves the KKT system H_FF x + ν 1 = r, 1ᵀx = β (the budget row only when active; β = budget − fixed sum) into
 * `pa` by the factorised H̃_FF, then refines against the exact H_FF: up to three steps, fewer once the residual
 * is at rounding level. Returns ν, or undefined when the system is singular.
 */
function solveRefined(
  ws: QpWorkspace,
  nFree: number,
  withSec: boolean,
  budgetActive: boolean,
): number | undefined {
  const r = ws.pr;
  const beta = ws.budget - ws.fixedSum;
  const b = ws.pb; // H̃⁻¹ 1
  const res = ws.pres;
  const xf = ws.tv;
  if (budgetActive) {
    for (let j = 0; j < nFree; j++) res[j] = 1;
    solveFree(ws, nFree, withSec, res, b);
  }
  let nu = solveKkt(ws, nFree, withSec, budgetActive, r, beta, xf);
  if (!Number.isFinite(nu)) return undefined;
  const x = ws.pa;
  for (let j = 0; j < nFree; j++) x[j] = xf[j] as number;
  const hx = ws.rhs;
  let rInf = 0;
  for (let j = 0; j < nFree; j++) rInf = Math.max(rInf, Math.abs(r[j] as number));
  for (let ref = 0; ref < 3; ref++) {
    mulHFree(ws, nFree, withSec, x, hx);
    let sumF = 0;
    let resInf = 0;
    const nuA = budgetActive ? nu : 0;
    for (let j = 0; j < nFree; j++) {
      sumF += x[j] as number;
      const v = (r[j] as number) - (hx[j] as number) - nuA;
      res[j] = v;
      resInf = Math.max(resInf, Math.abs(v));
    }
    if (
      resInf <= 1e-13 * rInf &&
      (!budgetActive || Math.abs(beta - sumF) <= 1e-15 * Math.max(Math.abs(beta), 1))
    )
      break;
    const dnu = solveKkt(ws, nFree, withSec, budgetActive, res, beta - sumF, xf);
    if (!Number.isFinite(dnu)) return undefined;
    for (let j = 0; j < nFree; j++) x[j] = (x[j] as number) + (xf[j] as number);
    nu += dnu;
  }
  return nu;
}

/**
 * xo = H̃_FF⁻¹ rr, or with the budget row the solution of H̃_FF x + ν1 = rr, 1ᵀx = rnu (needs `pb` = H̃_FF⁻¹ 1);
 * returns ν (0 without the budget row, NaN when 1ᵀH̃⁻¹1 ≤ 0). Compact vectors of length nFree.
 */
export function solveKkt(
  ws: QpWorkspace,
  nFree: number,
  withSec: boolean,
  budgetActive: boolean,
  rr: Float64Array,
  rnu: number,
  xo: Float64Array,
): number {
  if (!budgetActive) {
    solveFree(ws, nFree, withSec, rr, xo);
    return 0;
  }
  const a = ws.ptmp;
  solveFree(ws, nFree, withSec, rr, a);
  const b = ws.pb;
  let sa = 0;
  let sbv = 0;
  for (let j = 0; j < nFree; j++) {
    sa += a[j] as number;
    sbv += b[j] as number;
  }
  if (!(sbv > 0)) return Number.NaN;
  const v = (sa - rnu) / sbv;
  for (let j = 0; j < nFree; j++) xo[j] = (a[j] as number) - v * (b[j] as number);
  return v;
}

/** outv = H̃_FF⁻¹ rin by Woodbury with the capacitance factor in `pcap` (compact vectors). */
export function solveFree(
  ws: QpWorkspace,
  nFree: number,
  withSec: boolean,
  rin: Float64Array,
  outv: Float64Array,
): void {
  const { k, nS } = ws;
  const m = k + nS;
  const free = ws.freeIdx;
  const bl = ws.bl;
  const pd = ws.pdelta;
  const sec = ws.sector;
  const secAct = ws.secAct;
  const sg = Math.sqrt(ws.gamma);
  const sl = Math.sqrt(2 * ws.lambda);
  const pv = ws.pv;
  pv.fill(0, 0, m);
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const t = (rin[j] as number) / (pd[j] as number);
    outv[j] = t;
    const o = i * k;
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
    if (withSec) {
      const s = sec[i] as number;
      if (secAct[s] !== 0) pv[k + s] = (pv[k + s] as number) + t;
    }
  }
  for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
  for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
  choleskySolveInPlace(ws.pcap, m, pv);
  for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
  for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const o = i * k;
    let v = 0;
    for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (pv[a] as number);
    if (withSec) {
      const s = sec[i] as number;
      if (secAct[s] !== 0) v += pv[k + s] as number;
    }
    outv[j] = (outv[j] as number) - v / (pd[j] as number);
  }
}

/** out = H_FF x on the free list, H = P + 2λ Σ_{active s} g_s g_sᵀ (compact vectors). */
export function mulHFree(
  ws: QpWorkspace,
  nFree: number,
  withSec: boolean,
  x: Float64Array,
  out: Float64Array,
): void {
  const { k, nS } = ws;
  const free = ws.freeIdx;
  const bl = ws.bl;
  const sec = ws.sector;
  const fk = ws.fk;
  const ss = ws.psec;
  fk.fill(0, 0, k);
  ss.fill(0, 0, nS);
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const xj = x[j] as number;
    const o = i * k;
    for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * xj;
    if (withSec) {
      const s = sec[i] as number;
      ss[s] = (ss[s] as number) + xj;
    }
  }
  const g = ws.gamma;
  const l2 = 2 * ws.lambda;
  for (let j = 0; j < nFree; j++) {
    const i = free[j] as number;
    const o = i * k;
    let v = 0;
    for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
    let hv = g * v + (ws.diagQ[i] as number) * (x[j] as number);
    if (withSec) {
      const s = sec[i] as number;
      if (ws.secAct[s] !== 0) hv += l2 * (ss[s] as number);
    }
    out[j] = hv;
  }
}
