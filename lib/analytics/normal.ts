/**
 * The standard normal distribution: CDF and quantile function, to double precision, for the probabilistic Sharpe
 * ratio and the parametric (quantstats) VaR.
 */

const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2PI = 2.5066282746310002;

/** Standard normal density. */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Standard normal CDF Φ(x). |x| ≤ 2.5: Taylor series Φ(x) = ½ + φ(x)·Σ x^(2k+1)/(2k+1)!! (Marsaglia 2004,
 * "Evaluating the Normal Distribution", J. Stat. Softw. 11(4)); tails: Laplace's continued fraction for the Mills
 * ratio, evaluated backwards, which keeps full relative precision far into the lower tail.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -2.5) return lowerTail(-x);
  if (x > 2.5) return 1 - lowerTail(x);
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 3; k < 400; k += 2) {
    term *= x2 / k;
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return 0.5 + normalPdf(x) * sum;
}

/** 1 − Φ(z) for z > 0 via the continued fraction R(z) = 1/(z + 1/(z + 2/(z + 3/(z + …)))). */
function lowerTail(z: number): number {
  if (z > 40) return 0;
  let t = z;
  for (let k = 200; k >= 1; k--) t = z + k / t;
  return normalPdf(z) / t;
}

// Acklam's rational approximation (P. J. Acklam, "An algorithm for computing the inverse normal cumulative
// distribution function", 2003), relative error < 1.15e-9, then one Halley step on normalCdf.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p) (scipy `norm.ppf`): −∞ at 0, +∞ at 1, NaN outside [0, 1]. Computed on the
 * lower half and mirrored, so p near 1 is as accurate as `1 − p` allows.
 */
export function normalPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -lowerPpf(1 - p);
  return lowerPpf(p);
}

function lowerPpf(p: number): number {
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  if (p === 0.5) return 0;
  // Halley refinement: cubic convergence, so one step reaches the precision of normalCdf.
  const e = normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
