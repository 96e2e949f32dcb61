/** Solution polishing of an ADMM iterate (OSQP §4.1) as a primal-dual active-set method. */
import { finishPolished, kktHolds } from './kkt.ts';
import { sectorSide, sectorSums } from './objective.ts';
import { solveReduced } from './reduced-system.ts';
import type { QpWorkspace } from './workspace.ts';

/**
 * Polish (OSQP §4.1) refined as a semismooth Newton / primal-dual active-set method (Hintermüller, Ito & Kunisch
 * 2003) on the fixed point w = Π_C(w − diag(P)⁻¹∇f(w)): the active set (names at 0, at their cap, budget, sector
 * sides) is guessed, the equality-constrained QP on it is solved exactly, and the set is updated from the primal
 * values and reduced costs until the point satisfies the KKT conditions (at most `maxRounds` solves). The first
 * guess is read off the projected ADMM iterate. Returns the objective of the polished point (in `pw`), or
 * undefined when it does not verify. Unscaled units.
 */
export function polish(ws: QpWorkspace, maxRounds: number): number | undefined {
  let budgetActive = guessActiveSet(ws);
  let lastNu = 0;
  for (let round = 0; round < maxRounds; round++) {
    if (round > 0) {
      const next = updateActiveSet(ws, budgetActive, lastNu);
      if (next === undefined) return undefined;
      budgetActive = next;
    }
    ws.polishRounds++;
    const nu = solveReduced(ws, budgetActive);
    if (nu === undefined) return undefined;
    lastNu = nu;
    if (kktHolds(ws, budgetActive, nu)) return finishPolished(ws);
  }
  return undefined;
}

/**
 * Initial active set from the ADMM iterate: z₁ is exactly clipped by the projection, τ > 0 means the budget
 * binds, z₂ outside the band means the sector penalty is active on that side. Returns whether the budget binds.
 */
function guessActiveSet(ws: QpWorkspace): boolean {
  const { n, nS } = ws;
  const status = ws.status;
  const up = ws.up;
  const z = ws.z;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    const ui = up[i] as number;
    status[i] = ui <= 0 || zi <= 0 ? -1 : zi >= ui ? 1 : 0;
  }
  for (let s = 0; s < nS; s++) {
    const dev = (z[n + s] as number) - (ws.bench[s] as number);
    ws.secAct[s] = ws.lambda <= 0 ? 0 : sectorSide(dev, ws.band);
  }
  return ws.lastTau > 0;
}

/**
 * Primal-dual active-set update: free names out of bounds become fixed, fixed names whose reduced cost has the
 * wrong sign are freed; the budget and sector sides follow their multiplier / deviation. `grad` holds ∇f(pw) from
 * the failed KKT check of the previous round. Returns whether the budget binds next, or undefined when nothing
 * changed (the polish is stuck).
 */
function updateActiveSet(ws: QpWorkspace, budgetActive: boolean, lastNu: number): boolean | undefined {
  const { n, nS } = ws;
  const status = ws.status;
  const up = ws.up;
  const pw = ws.pw;
  const grad = ws.grad;
  let changed = false;
  const nuEff = budgetActive ? Math.max(lastNu, 0) : 0;
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    const ui = up[i] as number;
    if (ui <= 0) continue;
    const wi = pw[i] as number;
    sumW += wi;
    const rc = (grad[i] as number) + nuEff;
    const st = status[i] as number;
    let next = st;
    if (st === 0) next = wi < 0 ? -1 : wi > ui ? 1 : 0;
    else if (st === -1 && rc < 0) next = 0;
    else if (st === 1 && rc > 0) next = 0;
    if (next !== st) {
      status[i] = next;
      changed = true;
    }
  }
  if (budgetActive && lastNu < 0) {
    budgetActive = false;
    changed = true;
  } else if (!budgetActive && sumW > ws.budget) {
    budgetActive = true;
    changed = true;
  }
  if (nS > 0 && ws.lambda > 0) {
    const sb = ws.sbuf;
    sectorSums(ws, pw, sb);
    for (let s = 0; s < nS; s++) {
      const side = sectorSide((sb[s] as number) - (ws.bench[s] as number), ws.band);
      if (side !== ws.secAct[s]) {
        ws.secAct[s] = side;
        changed = true;
      }
    }
  }
  return changed ? budgetActive : undefined;
}
