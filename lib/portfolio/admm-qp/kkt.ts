/** The KKT check of a polished point and its final clean-up (shared by the polish and the active-set warm start). */
import { gradient, objectiveOf, sectorSums } from './objective.ts';
import { clipIntoBudget } from './projection.ts';
import type { QpWorkspace } from './workspace.ts';

/**
 * KKT conditions of the polished point `pw` with budget multiplier ν, to relative tolerances. Leaves ∇f(pw) in
 * `grad` (also when they fail) and the largest stationarity residual on the free names in `stationarity`.
 */
export function kktHolds(ws: QpWorkspace, budgetActive: boolean, nu: number): boolean {
  const { n, nS } = ws;
  const pw = ws.pw;
  const up = ws.up;
  const grad = ws.grad;
  gradient(ws, pw, grad);
  let gInf = 0;
  let uMax = 0;
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    gInf = Math.max(gInf, Math.abs(grad[i] as number), Math.abs(ws.qRaw[i] as number));
    uMax = Math.max(uMax, up[i] as number);
    sumW += pw[i] as number;
  }
  const tolG = 1e-7 * Math.max(gInf, 1e-300);
  const tolX = 1e-9 * Math.max(Math.min(uMax, ws.budget), 1e-300);
  ws.kktTolG = tolG;
  if (budgetActive && nu < -tolG) return false;
  if (sumW > ws.budget + tolX) return false;
  const nuEff = budgetActive ? Math.max(nu, 0) : 0;
  let stat = 0;
  for (let i = 0; i < n; i++) {
    const wi = pw[i] as number;
    const ui = up[i] as number;
    if (!(wi >= -tolX && wi <= ui + tolX)) return false;
    if (ui <= 0) continue;
    const rc = (grad[i] as number) + nuEff;
    const st = ws.status[i] as number;
    if (st === -1 && rc < -tolG) return false;
    if (st === 1 && rc > tolG) return false;
    if (st === 0) {
      if (Math.abs(rc) > 10 * tolG) return false;
      stat = Math.max(stat, Math.abs(rc));
    }
  }
  if (nS > 0 && ws.lambda > 0) {
    const sb = ws.sbuf;
    sectorSums(ws, pw, sb);
    for (let s = 0; s < nS; s++) {
      const dev = (sb[s] as number) - (ws.bench[s] as number);
      const side = ws.secAct[s] as number;
      if (side === 1 && dev < ws.band - tolX) return false;
      if (side === -1 && dev > -ws.band + tolX) return false;
      if (side === 0 && Math.abs(dev) > ws.band + tolX) return false;
    }
  }
  ws.stationarity = stat;
  return true;
}

/** Clips rounding-level bound violations of the verified point `pw`, enforces the budget exactly; its objective. */
export function finishPolished(ws: QpWorkspace): number {
  clipIntoBudget(ws, ws.pw);
  return objectiveOf(ws, ws.pw, ws.tv);
}
