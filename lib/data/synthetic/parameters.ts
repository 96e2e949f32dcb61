import { Rng } from '../../core/index.ts';
import type { SyntheticMarketConfig } from './config.ts';
import { IC_HORIZON_BARS, type MarketModel, type NameParams, type NameTable } from './state.ts';

/** The drawn parameters, with the initial share counts and α (both mutated by the simulation). */
export interface DrawnParameters {
  readonly model: MarketModel;
  readonly shares: Float64Array;
  readonly alpha: Float64Array;
}

/**
 * Per-name parameters (each from its own named stream, so one name's draws never depend on another's), the
 * starting prices and α (stream `init`), and the loading κ that plants the target IC.
 */
export function drawParameters(cfg: SyntheticMarketConfig, names: NameTable): DrawnParameters {
  const { symbols, nA } = names;
  const params: NameParams[] = symbols.map((s) => drawNameParams(cfg.seed, s));
  const rngInit = Rng.derive(cfg.seed, 'init');
  const price = new Float64Array(nA);
  const shares = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    const p = params[a]!;
    price[a] = Math.exp(Math.log(15) + rngInit.next() * Math.log(400 / 15));
    shares[a] = p.marketCap / price[a]!;
  }
  const medianIdio = median(params.map((p) => p.idioVolDaily));
  // 5-bar forward excess return sd ≈ idio sd over 5/7 of a session (plus beta-dispersion noise, ~10%)
  const fwdSd = medianIdio * Math.sqrt(IC_HORIZON_BARS / 7) * 1.1;
  const kappa = (cfg.plantedIc * fwdSd) / IC_HORIZON_BARS;
  const alphaPhi = Math.exp(-Math.LN2 / cfg.alphaHalfLifeSessions);
  const alpha = new Float64Array(nA);
  for (let a = 0; a < nA; a++) alpha[a] = rngInit.normal();
  return { model: { params, price, kappa, alphaPhi }, shares, alpha };
}

function drawNameParams(seed: number, symbol: string): NameParams {
  const r = Rng.derive(seed, `params:${symbol}`);
  const cap = Math.exp(Math.log(30e9) + 1.0 * r.normal());
  return {
    beta: 0.6 + 0.9 * r.next(),
    sectorLoading: 0.5 + 0.7 * r.next(),
    idioVolDaily: 0.009 + 0.012 * r.next() + 0.004 * Math.abs(r.normal()),
    advDollars: cap * (0.004 + 0.008 * r.next()),
    spreadBaseBps: Math.min(25, Math.max(1, 3 * (1e10 / cap) ** 0.3)),
    marketCap: cap,
    epsYield: 0.02 + 0.06 * r.next(),
    bookToPrice: 0.1 + 0.6 * r.next(),
    salesToPrice: 0.2 + 1.5 * r.next(),
    margin: 0.2 + 0.5 * r.next(),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : Number.NaN;
}
