/**
 * The ADMM iterations on the scaled problem (OSQP: Stellato et al. 2020): x-step by Woodbury, over-relaxation
 * (α = 1.6), the z-step's exact proxes, the dual update; every `checkEvery` iterations the residuals decide
 * convergence, an early polish, and the adaptive ρ (OSQP §5.2, refactorising only the m×m capacitance).
 */
import { factor, linsolve } from './factor-system.ts';
import { gradient, mulP } from './objective.ts';
import { polish } from './polish.ts';
import { project, proxBand } from './projection.ts';
import { ALPHA, POLISH_ROUNDS, type QpWorkspace, RHO_MAX, RHO_MIN, SIGMA } from './workspace.ts';

export interface AdmmSettings {
  readonly maxIterations: number;
  readonly epsAbs: number;
  readonly epsRel: number;
  readonly checkEvery: number;
  /** Polish early once the residuals meet a looser level. */
  readonly polish: boolean;
}

export interface AdmmOutcome {
  readonly iterations: number;
  readonly converged: boolean;
  readonly primalResidual: number;
  readonly dualResidual: number;
  /** The objective of a point polished during the iterations (in `pw`), if one verified. */
  readonly polishedObjective: number | undefined;
}

/** Scaled residuals r_p = Ax − z, r_d = P̂x + lin + Aᵀy (∞-norms) and the norms their tolerances scale with. */
interface Residuals {
  primal: number;
  dual: number;
  axInf: number;
  zInf: number;
  pxInf: number;
  atyInf: number;
}

/**
 * Runs ADMM from the warm iterates (or from zero when `warm` is false) until the residuals meet the tolerances,
 * an early polish verifies, or `maxIterations`. `qInf` is ‖lin‖∞ (part of the dual tolerance). Leaves the
 * iterates for the next warm start (reset to zero after a numerical breakdown) and the last budget multiplier
 * in `lastTau`.
 */
export function runAdmm(ws: QpWorkspace, settings: AdmmSettings, warm: boolean, qInf: number): AdmmOutcome {
  const { maxIterations: maxIt, epsAbs, epsRel, checkEvery } = settings;
  startIterates(ws, warm);
  const lamS = ws.costScale * ws.lambda;
  const res: Residuals = { primal: 0, dual: 0, axInf: 0, zInf: 0, pxInf: 0, atyInf: 0 };
  let iterations = 0;
  let converged = false;
  let rPrim = Number.POSITIVE_INFINITY;
  let rDual = Number.POSITIVE_INFINITY;
  let tau = 0;
  let polishLevel = settings.polish ? 1e-1 : 0;
  let polishedObj: number | undefined;
  for (let it = 1; it <= maxIt; it++) {
    iterations = it;
    tau = admmIteration(ws, lamS);
    if (it % checkEvery !== 0 && it !== maxIt) continue;
    measureResiduals(ws, res);
    const { primal: rp, dual: rd } = res;
    rPrim = rp;
    rDual = rd;
    const epsP = epsAbs + epsRel * Math.max(res.axInf, res.zInf);
    const epsD = epsAbs + epsRel * Math.max(res.pxInf, res.atyInf, qInf);
    if (!Number.isFinite(rp) || !Number.isFinite(rd)) break;
    if (rp <= epsP && rd <= epsD) {
      converged = true;
      break;
    }
    // Early polish: once the residuals meet a looser level, try to finish by polishing; tighten on failure.
    if (polishLevel > epsRel) {
      const pP = epsAbs + polishLevel * Math.max(res.axInf, res.zInf);
      const pD = epsAbs + polishLevel * Math.max(res.pxInf, res.atyInf, qInf);
      if (rp <= pP && rd <= pD) {
        ws.lastTau = tau;
        polishedObj = polish(ws, POLISH_ROUNDS);
        if (polishedObj !== undefined) break;
        polishLevel *= 0.1;
      }
    }
    adaptRho(ws, res, qInf);
  }
  keepIterates(ws, Number.isFinite(rPrim) && Number.isFinite(rDual));
  ws.lastTau = tau;
  return {
    iterations,
    converged,
    primalResidual: rPrim,
    dualResidual: rDual,
    polishedObjective: polishedObj,
  };
}

/** Cold start: zero iterates and the initial ρ; then (re)factorises when ρ moved since the last factorisation. */
function startIterates(ws: QpWorkspace, warm: boolean): void {
  const nz = ws.n + ws.nS;
  if (!warm) {
    ws.x.fill(0, 0, ws.n);
    ws.z.fill(0, 0, nz);
    ws.y.fill(0, 0, nz);
    ws.rho = 0.1;
  }
  if (ws.factorRho !== ws.rho) factor(ws);
}

/** After a numerical breakdown the iterates are zeroed and the next solve starts cold. */
function keepIterates(ws: QpWorkspace, finite: boolean): void {
  if (!finite) {
    const nz = ws.n + ws.nS;
    ws.hasIterate = false;
    ws.x.fill(0, 0, ws.n);
    ws.z.fill(0, 0, nz);
    ws.y.fill(0, 0, nz);
  } else {
    ws.hasIterate = true;
  }
}

/** One ADMM iteration (x-step, relaxation, z-step, y-step); returns the projection's budget multiplier τ. */
function admmIteration(ws: QpWorkspace, lamS: number): number {
  const { n, nS } = ws;
  const nz = n + nS;
  const x = ws.x;
  const z = ws.z;
  const y = ws.y;
  const zr = ws.zr;
  const xt = ws.xt;
  const rhs = ws.rhs;
  const sec = ws.sector;
  const rho = ws.rho;
  // x̃ = (P + σI + ρAᵀA)⁻¹ (σx − lin + Aᵀ(ρz − y))
  for (let s = 0; s < nS; s++) ws.sbuf[s] = rho * (z[n + s] as number) - (y[n + s] as number);
  for (let i = 0; i < n; i++) {
    let r = SIGMA * (x[i] as number) - (ws.lin[i] as number) + rho * (z[i] as number) - (y[i] as number);
    if (nS > 0) r += ws.sbuf[sec[i] as number] as number;
    rhs[i] = r;
  }
  linsolve(ws, rhs, xt);
  // relaxation: x ← αx̃ + (1−α)x; zr = α A x̃ + (1−α) z; then v = zr + y/ρ into rhs/zr for the prox
  if (nS > 0) ws.sbuf.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const xti = xt[i] as number;
    x[i] = ALPHA * xti + (1 - ALPHA) * (x[i] as number);
    zr[i] = ALPHA * xti + (1 - ALPHA) * (z[i] as number);
    if (nS > 0) {
      const s = sec[i] as number;
      ws.sbuf[s] = (ws.sbuf[s] as number) + xti;
    }
  }
  for (let s = 0; s < nS; s++)
    zr[n + s] = ALPHA * (ws.sbuf[s] as number) + (1 - ALPHA) * (z[n + s] as number);
  // z-update: prox of I_C (projection) and of h (scalar shrink toward the band)
  for (let i = 0; i < n; i++) rhs[i] = (zr[i] as number) + (y[i] as number) / rho;
  const tau = project(ws, rhs, 0, z, 0);
  for (let s = 0; s < nS; s++) {
    const a = (zr[n + s] as number) + (y[n + s] as number) / rho;
    z[n + s] = lamS > 0 ? proxBand(a, ws.bench[s] as number, ws.band, lamS, rho) : a;
  }
  // y-update
  for (let j = 0; j < nz; j++) y[j] = (y[j] as number) + rho * ((zr[j] as number) - (z[j] as number));
  return tau;
}

/** The scaled residuals of the current iterate into `res` (uses `sbuf` and `tv` as scratch). */
function measureResiduals(ws: QpWorkspace, res: Residuals): void {
  const { n, nS } = ws;
  const x = ws.x;
  const z = ws.z;
  const y = ws.y;
  const sec = ws.sector;
  const c = ws.costScale;
  let rp = 0;
  let axInf = 0;
  let zInf = 0;
  if (nS > 0) ws.sbuf.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    rp = Math.max(rp, Math.abs(xi - (z[i] as number)));
    axInf = Math.max(axInf, Math.abs(xi));
    zInf = Math.max(zInf, Math.abs(z[i] as number));
    if (nS > 0) {
      const s = sec[i] as number;
      ws.sbuf[s] = (ws.sbuf[s] as number) + xi;
    }
  }
  for (let s = 0; s < nS; s++) {
    const ax = ws.sbuf[s] as number;
    rp = Math.max(rp, Math.abs(ax - (z[n + s] as number)));
    axInf = Math.max(axInf, Math.abs(ax));
    zInf = Math.max(zInf, Math.abs(z[n + s] as number));
  }
  mulP(ws, x, ws.tv);
  let rd = 0;
  let pxInf = 0;
  let atyInf = 0;
  for (let i = 0; i < n; i++) {
    const px = c * (ws.tv[i] as number);
    let aty = y[i] as number;
    if (nS > 0) aty += y[n + (sec[i] as number)] as number;
    rd = Math.max(rd, Math.abs(px + (ws.lin[i] as number) + aty));
    pxInf = Math.max(pxInf, Math.abs(px));
    atyInf = Math.max(atyInf, Math.abs(aty));
  }
  res.primal = rp;
  res.dual = rd;
  res.axInf = axInf;
  res.zInf = zInf;
  res.pxInf = pxInf;
  res.atyInf = atyInf;
}

/** Adaptive ρ (OSQP §5.2): balance the normalised residuals; refactor only on a large change. */
function adaptRho(ws: QpWorkspace, res: Residuals, qInf: number): void {
  const rho = ws.rho;
  const num = res.primal / Math.max(res.axInf, res.zInf, 1e-30);
  const den = res.dual / Math.max(res.pxInf, res.atyInf, qInf, 1e-30);
  if (den > 0 && num > 0) {
    const rhoNew = Math.min(RHO_MAX, Math.max(RHO_MIN, rho * Math.sqrt(num / den)));
    if (rhoNew > 5 * rho || rhoNew < 0.2 * rho) {
      ws.rho = rhoNew;
      factor(ws);
    }
  }
}

/**
 * Sets the ADMM iterates to the polished point `pw` with the duals its KKT conditions give (scaled problem):
 * x = z₁ = w, z₂ = Gᵀw, y₂ = ∇h(z₂), y₁ = −c∇f(w) (so that P̂x + lin + Aᵀy = 0), for the next warm start.
 */
export function syncIterates(ws: QpWorkspace): void {
  const { n, nS } = ws;
  const c = ws.costScale;
  const pw = ws.pw;
  const x = ws.x;
  const z = ws.z;
  const y = ws.y;
  const g = ws.tv;
  gradient(ws, pw, g);
  for (let s = 0; s < nS; s++) z[n + s] = 0;
  for (let i = 0; i < n; i++) {
    const wi = pw[i] as number;
    x[i] = wi;
    z[i] = wi;
    y[i] = -c * (g[i] as number);
    if (nS > 0) {
      const s = n + (ws.sector[i] as number);
      z[s] = (z[s] as number) + wi;
    }
  }
  for (let s = 0; s < nS; s++) {
    const dev = (z[n + s] as number) - (ws.bench[s] as number);
    y[n + s] = ws.lambda > 0 ? 2 * c * ws.lambda * Math.max(0, Math.abs(dev) - ws.band) * Math.sign(dev) : 0;
  }
}
