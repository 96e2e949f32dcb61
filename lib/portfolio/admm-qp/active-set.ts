/** The warm start's primal active-set method, from the previous solve's solution. */
import { finishPolished, kktHolds } from './kkt.ts';
import { sectorSide } from './objective.ts';
import { clipIntoBudget } from './projection.ts';
import { solveReduced } from './reduced-system.ts';
import type { QpWorkspace } from './workspace.ts';

const BLOCK_NONE = 0;
const BLOCK_LOWER = 1;
const BLOCK_UPPER = 2;
const BLOCK_BUDGET = 3;
const BLOCK_SECTOR = 4;

/** The step toward the working-set optimum: its length α ∈ [0, 1] and what blocks it (a name or a sector). */
interface Step {
  alpha: number;
  block: number;
  index: number;
}

/**
 * Primal active-set method (Nocedal & Wright 2006, Algorithm 16.3) from the previous solution, for warm starts.
 * The previous weights clipped to the new caps are feasible; each round solves the equality-constrained QP on the
 * working set (names at a bound, the budget row, and the quadratic piece of each sector penalty) and steps toward
 * it until the first bound, the budget or a sector band edge blocks; that constraint joins the working set (a
 * band edge switches the sector's piece; the penalty is C¹, so its pieces join smoothly). After a full step the
 * multipliers are checked and the constraints with violated ones leave. Every step lowers the objective, so a
 * drifting problem whose active set moves by a few names needs a few rounds.
 * At most `maxSolves` solves; returns the objective of the verified point (in `pw`, and copied to `aw`) or
 * undefined (degenerate cycling, singular systems, or too many changes), after which ADMM takes over.
 */
export function activeSetSolve(ws: QpWorkspace, maxSolves: number): number | undefined {
  const n = ws.n;
  const status = ws.status;
  const aw = ws.aw;
  const pw = ws.pw;
  const step: Step = { alpha: 1, block: BLOCK_NONE, index: -1 };
  let budgetActive = startWorkingSet(ws);
  for (let round = 0; round < maxSolves; round++) {
    ws.polishRounds++;
    const nu = solveReduced(ws, budgetActive);
    if (nu === undefined) return undefined;
    ratioTest(ws, budgetActive, step);
    if (step.block === BLOCK_NONE) {
      // Full step: aw = pw, the working-set optimum. Optimal when the multipliers have the right signs.
      for (let i = 0; i < n; i++) if (status[i] === 0) aw[i] = pw[i] as number;
      if (kktHolds(ws, budgetActive, nu)) {
        const obj = finishPolished(ws);
        aw.set(pw.subarray(0, n));
        return obj;
      }
      const released = releaseViolated(ws, budgetActive, nu);
      if (released === 'none') return undefined;
      if (released === 'budget') budgetActive = false;
      continue;
    }
    if (takeStep(ws, step)) budgetActive = true;
  }
  return undefined;
}

/**
 * Feasible start: the previous solution clipped to the new caps (and scaled into the budget), with the working
 * set it lies on. Returns whether the budget row is in the working set.
 */
function startWorkingSet(ws: QpWorkspace): boolean {
  const { n, nS } = ws;
  const up = ws.up;
  const status = ws.status;
  const sec = ws.sector;
  const aw = ws.aw;
  const asec = ws.asec;
  const withSec = nS > 0 && ws.lambda > 0;
  clipIntoBudget(ws, aw);
  let sum = 0;
  asec.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const wi = aw[i] as number;
    const ui = up[i] as number;
    status[i] = wi <= 0 ? -1 : wi >= ui ? 1 : 0;
    sum += wi;
    if (nS > 0) {
      const s = sec[i] as number;
      asec[s] = (asec[s] as number) + wi;
    }
  }
  for (let s = 0; s < nS; s++) {
    const dev = (asec[s] as number) - (ws.bench[s] as number);
    ws.secAct[s] = !withSec ? 0 : sectorSide(dev, ws.band);
  }
  return sum >= ws.budget * (1 - 1e-12);
}

/**
 * The step α ∈ [0, 1] from `aw` toward the working-set optimum `pw`, blocked by the first bound, the budget or a
 * band edge (into `step`; leaves the sector sums of `aw` in `asec` and of the direction in `adir`).
 */
function ratioTest(ws: QpWorkspace, budgetActive: boolean, step: Step): void {
  const { n, nS } = ws;
  const up = ws.up;
  const status = ws.status;
  const sec = ws.sector;
  const aw = ws.aw;
  const pw = ws.pw;
  const band = ws.band;
  const withSec = nS > 0 && ws.lambda > 0;
  const asec = ws.asec;
  const adir = ws.adir;
  let alpha = 1;
  let blockKind = BLOCK_NONE;
  let blockIdx = -1;
  let sumP = 0;
  let sumW = 0;
  adir.fill(0, 0, nS);
  asec.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const wi = aw[i] as number;
    sumW += wi;
    if (withSec) {
      const s = sec[i] as number;
      asec[s] = (asec[s] as number) + wi;
    }
    if (status[i] !== 0) continue;
    const p = (pw[i] as number) - wi;
    sumP += p;
    if (withSec) {
      const s = sec[i] as number;
      adir[s] = (adir[s] as number) + p;
    }
    if (p < 0) {
      const a = wi / -p;
      if (a < alpha) {
        alpha = a;
        blockKind = BLOCK_LOWER;
        blockIdx = i;
      }
    } else if (p > 0) {
      const a = ((up[i] as number) - wi) / p;
      if (a < alpha) {
        alpha = a;
        blockKind = BLOCK_UPPER;
        blockIdx = i;
      }
    }
  }
  if (!budgetActive && sumP > 0) {
    const a = (ws.budget - sumW) / sumP;
    if (a < alpha) {
      alpha = a;
      blockKind = BLOCK_BUDGET;
    }
  }
  if (withSec) {
    for (let s = 0; s < nS; s++) {
      const d = adir[s] as number;
      const dev = (asec[s] as number) - (ws.bench[s] as number);
      const side = ws.secAct[s] as number;
      let a = Number.POSITIVE_INFINITY;
      if (d > 0 && side <= 0) a = ((side === 0 ? band : -band) - dev) / d;
      else if (d < 0 && side >= 0) a = ((side === 0 ? -band : band) - dev) / d;
      if (a < alpha) {
        alpha = a;
        blockKind = BLOCK_SECTOR;
        blockIdx = s;
      }
    }
  }
  step.alpha = alpha;
  step.block = blockKind;
  step.index = blockIdx;
}

/**
 * After a full step that is not optimal: release the budget row when its multiplier is the most violated, else
 * every name whose reduced cost ∇f + ν has the wrong sign (several at once: fewer rounds than one at a time; a
 * released name that the next direction pushes out of bounds is blocked again by the step). `grad` holds ∇f(pw)
 * from the failed KKT check. 'none' when no multiplier is violated beyond the tolerance (degenerate).
 */
function releaseViolated(ws: QpWorkspace, budgetActive: boolean, nu: number): 'budget' | 'names' | 'none' {
  const n = ws.n;
  const status = ws.status;
  const up = ws.up;
  const grad = ws.grad;
  const tolG = ws.kktTolG;
  const nuA = budgetActive ? nu : 0;
  let worst = tolG;
  for (let i = 0; i < n; i++) {
    const st = status[i] as number;
    if (st === 0 || (up[i] as number) <= 0) continue;
    const rc = (grad[i] as number) + nuA;
    worst = Math.max(worst, st === -1 ? -rc : rc);
  }
  if (budgetActive && -nu > worst) return 'budget';
  if (!(worst > tolG)) return 'none';
  for (let i = 0; i < n; i++) {
    const st = status[i] as number;
    if (st === 0 || (up[i] as number) <= 0) continue;
    const rc = (grad[i] as number) + nuA;
    if ((st === -1 ? -rc : rc) > tolG) status[i] = 0;
  }
  return 'names';
}

/** Moves `aw` by the blocked step and adds the blocking constraint to the working set; true when it is the budget. */
function takeStep(ws: QpWorkspace, step: Step): boolean {
  const n = ws.n;
  const status = ws.status;
  const aw = ws.aw;
  const pw = ws.pw;
  const alpha = step.alpha < 0 ? 0 : step.alpha;
  const idx = step.index;
  for (let i = 0; i < n; i++) {
    if (status[i] !== 0) continue;
    const wi = aw[i] as number;
    aw[i] = wi + alpha * ((pw[i] as number) - wi);
  }
  if (step.block === BLOCK_LOWER) {
    aw[idx] = 0;
    status[idx] = -1;
  } else if (step.block === BLOCK_UPPER) {
    aw[idx] = ws.up[idx] as number;
    status[idx] = 1;
  } else if (step.block === BLOCK_BUDGET) {
    return true;
  } else {
    ws.secAct[idx] = ws.secAct[idx] === 0 ? Math.sign(ws.adir[idx] as number) : 0;
  }
  return false;
}
