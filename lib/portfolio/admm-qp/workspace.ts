/**
 * The ADMM QP solver's state: the model (unscaled), the factorisation of the x-step system, the ADMM iterates, the
 * polish and active-set workspaces, and the instance being solved. Work arrays are allocated when the capacity
 * grows and reused by every later solve, so iterations allocate nothing. Internal to `admm-qp/`: the steps in the
 * sibling files read and write it; only `AdmmQpSolver` is public.
 */

export const ALPHA = 1.6;
export const SIGMA = 1e-6;
export const RHO_MIN = 1e-6;
export const RHO_MAX = 1e6;
/** Active-set rounds per polish attempt from an ADMM iterate, and from the previous solve's active set. */
export const POLISH_ROUNDS = 12;
/** Equality-constrained solves allowed to the active-set warm start before ADMM takes over. */
export const WARM_SOLVES = 120;

export class QpWorkspace {
  // capacity
  capN = 0;
  capK = 0;
  capS = 0;
  // model (unscaled)
  n = 0;
  k = 0;
  nS = 0;
  gamma = 0;
  costScale = 1;
  modelError: string | undefined = 'no model set';
  sector: Int16Array = new Int16Array(0);
  bl: Float64Array = new Float64Array(0); // B·L, n×k (unscaled)
  diagQ: Float64Array = new Float64Array(0); // γ s + d (unscaled)
  // factorisation of diag(δ) + V Vᵀ at `factorRho`
  rho = 0.1;
  factorRho = Number.NaN;
  delta: Float64Array = new Float64Array(0);
  cap: Float64Array = new Float64Array(0); // m×m Cholesky factor (lower)
  // iterates (scaled problem)
  x: Float64Array = new Float64Array(0);
  xt: Float64Array = new Float64Array(0);
  z: Float64Array = new Float64Array(0); // n + S
  y: Float64Array = new Float64Array(0); // n + S
  zr: Float64Array = new Float64Array(0); // n + S
  lin: Float64Array = new Float64Array(0); // scaled minimisation linear term (−c q)
  up: Float64Array = new Float64Array(0);
  rhs: Float64Array = new Float64Array(0);
  tv: Float64Array = new Float64Array(0);
  pv: Float64Array = new Float64Array(0); // m
  fk: Float64Array = new Float64Array(0); // k
  sbuf: Float64Array = new Float64Array(0); // S
  hasIterate = false;
  lastTau = 0;
  // polish workspace
  status: Int8Array = new Int8Array(0); // -1 lower, 0 free, 1 upper
  secAct: Int8Array = new Int8Array(0); // -1 low side, 0 inside band, 1 high side
  pw: Float64Array = new Float64Array(0);
  pr: Float64Array = new Float64Array(0);
  pa: Float64Array = new Float64Array(0);
  pb: Float64Array = new Float64Array(0);
  pres: Float64Array = new Float64Array(0);
  grad: Float64Array = new Float64Array(0);
  pdelta: Float64Array = new Float64Array(0);
  pcap: Float64Array = new Float64Array(0);
  best: Float64Array = new Float64Array(0);
  ptmp: Float64Array = new Float64Array(0);
  freeIdx: Int32Array = new Int32Array(0); // free names of the active set being solved
  psec: Float64Array = new Float64Array(0); // S
  fixedSum = 0; // Σ of the fixed names' weights in the active set being solved
  meanDiagP = 0; // mean diag(P), unscaled
  /** `aw` holds the last solution (a feasible start for the active-set warm start). */
  activeSetValid = false;
  aw: Float64Array = new Float64Array(0);
  asec: Float64Array = new Float64Array(0); // S
  adir: Float64Array = new Float64Array(0); // S
  kktTolG = 0;
  polishRounds = 0;
  stationarity = 0;
  // instance data for the solve in progress
  bench: Float64Array = new Float64Array(0);
  band = 0;
  lambda = 0;
  budget = 1;
  qRaw: Float64Array = new Float64Array(0);

  ensureCapacity(n: number, k: number, nS: number): void {
    if (n <= this.capN && k <= this.capK && nS <= this.capS) return;
    const cn = Math.max(n, this.capN);
    const ck = Math.max(k, this.capK);
    const cs = Math.max(nS, this.capS);
    const m = ck + cs;
    this.capN = cn;
    this.capK = ck;
    this.capS = cs;
    this.sector = new Int16Array(cn);
    this.bl = new Float64Array(cn * ck);
    this.diagQ = new Float64Array(cn);
    this.delta = new Float64Array(cn);
    this.cap = new Float64Array(m * m);
    this.x = new Float64Array(cn);
    this.xt = new Float64Array(cn);
    this.z = new Float64Array(cn + cs);
    this.y = new Float64Array(cn + cs);
    this.zr = new Float64Array(cn + cs);
    this.lin = new Float64Array(cn);
    this.up = new Float64Array(cn);
    this.rhs = new Float64Array(cn);
    this.tv = new Float64Array(cn);
    this.pv = new Float64Array(m);
    this.fk = new Float64Array(ck);
    this.sbuf = new Float64Array(cs);
    this.status = new Int8Array(cn);
    this.secAct = new Int8Array(cs);
    this.pw = new Float64Array(cn);
    this.pr = new Float64Array(cn);
    this.pa = new Float64Array(cn);
    this.pb = new Float64Array(cn);
    this.pres = new Float64Array(cn);
    this.grad = new Float64Array(cn);
    this.pdelta = new Float64Array(cn);
    this.pcap = new Float64Array(m * m);
    this.best = new Float64Array(cn);
    this.ptmp = new Float64Array(cn);
    this.aw = new Float64Array(cn);
    this.asec = new Float64Array(cs);
    this.adir = new Float64Array(cs);
    this.freeIdx = new Int32Array(cn);
    this.psec = new Float64Array(cs);
    this.bench = new Float64Array(cs);
    this.qRaw = new Float64Array(cn);
    this.hasIterate = false;
    this.activeSetValid = false;
  }
}
