/** Solution polishing of an ADMM iterate (OSQP §4.1) as a primal-dual active-set method. */
import { finishPolished, kktHolds } from './kkt.ts';
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
  const { n, nS } = ws;
  const status = ws.status;
  const up = ws.up;
  const secAct = ws.secAct;
  const sec = ws.sector;
  const lambda = ws.lambda;
  const pw = ws.pw;
  const grad = ws.grad;
  // Initial active set from the ADMM iterate: z₁ is exactly clipped by the projection, τ > 0 means the budget
  // binds, z₂ outside the band means the sector penalty is active on that side.
  const z = ws.z;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    const ui = up[i] as number;
    status[i] = ui <= 0 || zi <= 0 ? -1 : zi >= ui ? 1 : 0;
  }
  let budgetActive = ws.lastTau > 0;
  let lastNu = 0;
  for (let s = 0; s < nS; s++) {
    const dev = (z[n + s] as number) - (ws.bench[s] as number);
    secAct[s] = lambda <= 0 ? 0 : dev > ws.band ? 1 : dev < -ws.band ? -1 : 0;
  }
  for (let round = 0; round < maxRounds; round++) {
    if (round > 0) {
      // Primal-dual active-set update: free names out of bounds become fixed, fixed names whose reduced cost
      // has the wrong sign are freed; the budget and sector sides follow their multiplier / deviation. `grad`
      // holds ∇f(pw) from the failed KKT check of the previous round.
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
      if (nS > 0 && lambda > 0) {
        const sb = ws.sbuf;
        sb.fill(0, 0, nS);
        for (let i = 0; i < n; i++) {
          const s = sec[i] as number;
          sb[s] = (sb[s] as number) + (pw[i] as number);
        }
        for (let s = 0; s < nS; s++) {
          const dev = (sb[s] as number) - (ws.bench[s] as number);
          const side = dev > ws.band ? 1 : dev < -ws.band ? -1 : 0;
          if (side !== secAct[s]) {
            secAct[s] = side;
            changed = true;
          }
        }
      }
      if (!changed) return undefined;
    }
    ws.polishRounds++;
    const nu = solveReduced(ws, budgetActive);
    if (nu === undefined) return undefined;
    lastNu = nu;
    if (kktHolds(ws, budgetActive, nu)) return finishPolished(ws);
  }
  return undefined;
}
