import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.ts';
import { estimateFactorRiskModel, type FactorRiskModel } from '../../lib/portfolio/risk-model.ts';

/** Returns simulated from a planted model: market beta, sector dummies, two statistical factors, specific noise. */
function planted(nT: number, nA: number, nSectors: number, seed: number) {
  const rng = Rng.fromSeed(seed);
  const sector = new Int16Array(nA);
  for (let a = 0; a < nA; a++) sector[a] = a % nSectors;
  const p = 2;
  const beta = Float64Array.from({ length: nA }, () => 0.6 + 0.8 * rng.next());
  const stat = Float64Array.from({ length: nA * p }, () => rng.normal() * 0.5);
  const volM = 0.01;
  const volS = 0.006;
  const volP = 0.005;
  const spec = Float64Array.from({ length: nA }, () => (0.006 + 0.01 * rng.next()) ** 2);
  const returns = new Float64Array(nT * nA);
  for (let t = 0; t < nT; t++) {
    const m = volM * rng.normal();
    const sf = Array.from({ length: nSectors }, () => volS * rng.normal());
    const pf = Array.from({ length: p }, () => volP * rng.normal());
    for (let a = 0; a < nA; a++) {
      let r = (beta[a] as number) * m + (sf[sector[a] as number] as number);
      for (let j = 0; j < p; j++) r += (stat[a * p + j] as number) * (pf[j] as number);
      returns[t * nA + a] = r + Math.sqrt(spec[a] as number) * rng.normal();
    }
  }
  const trueCov = (i: number, j: number): number => {
    let v = (beta[i] as number) * (beta[j] as number) * volM * volM;
    if (sector[i] === sector[j]) v += volS * volS;
    for (let q = 0; q < p; q++) v += (stat[i * p + q] as number) * (stat[j * p + q] as number) * volP * volP;
    if (i === j) v += spec[i] as number;
    return v;
  };
  return { returns, sector, trueCov };
}

function modelCov(m: FactorRiskModel, i: number, j: number): number {
  const { k, loadings: B, factorCov: F } = m;
  let v = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++)
      v += (B[i * k + a] as number) * (F[a * k + b] as number) * (B[j * k + b] as number);
  }
  return i === j ? v + (m.specificVar[i] as number) : v;
}

describe('risk-model: estimateFactorRiskModel', () => {
  const nT = 1500;
  const nA = 60;
  const nSectors = 4;
  const { returns, sector, trueCov } = planted(nT, nA, nSectors, 11);

  it('recovers a planted factor structure (covariance within 15% Frobenius, portfolio vols within 10%)', () => {
    const m = estimateFactorRiskModel({ returns, nT, nA, sector, nSectors, nStatFactors: 2, shrinkage: 0.1 });
    expect(m.k).toBe(1 + nSectors + 2);
    let num = 0;
    let den = 0;
    for (let i = 0; i < nA; i++) {
      for (let j = 0; j < nA; j++) {
        num += (modelCov(m, i, j) - trueCov(i, j)) ** 2;
        den += trueCov(i, j) ** 2;
      }
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.15);
    const rng = Rng.fromSeed(3);
    for (let trial = 0; trial < 20; trial++) {
      const w = Float64Array.from({ length: nA }, () => rng.next());
      let vm = 0;
      let vt = 0;
      for (let i = 0; i < nA; i++) {
        for (let j = 0; j < nA; j++) {
          vm += (w[i] as number) * (w[j] as number) * modelCov(m, i, j);
          vt += (w[i] as number) * (w[j] as number) * trueCov(i, j);
        }
      }
      expect(Math.abs(Math.sqrt(vm / vt) - 1)).toBeLessThan(0.1);
    }
  });

  it('is deterministic and gives names with too little history their sector median risk', () => {
    const withGaps = Float64Array.from(returns);
    for (let t = 0; t < nT - 50; t++) withGaps[t * nA + 5] = Number.NaN;
    const a = estimateFactorRiskModel({
      returns: withGaps,
      nT,
      nA,
      sector,
      nSectors,
      nStatFactors: 2,
      halfLifeBars: 500,
    });
    const b = estimateFactorRiskModel({
      returns: withGaps,
      nT,
      nA,
      sector,
      nSectors,
      nStatFactors: 2,
      halfLifeBars: 500,
    });
    expect(Buffer.from(a.loadings.buffer)).toEqual(Buffer.from(b.loadings.buffer));
    expect(Buffer.from(a.factorCov.buffer)).toEqual(Buffer.from(b.factorCov.buffer));
    expect(Buffer.from(a.specificVar.buffer)).toEqual(Buffer.from(b.specificVar.buffer));
    expect(a.imputed[5]).toBe(1);
    const peers = [];
    for (let i = 0; i < nA; i++)
      if (sector[i] === sector[5] && i !== 5) peers.push(a.specificVar[i] as number);
    peers.sort((x, y) => x - y);
    const h = peers.length >> 1;
    const med =
      peers.length % 2 ? (peers[h] as number) : 0.5 * ((peers[h - 1] as number) + (peers[h] as number));
    expect(a.specificVar[5]).toBeCloseTo(med, 15);
    for (const v of a.specificVar) expect(Number.isFinite(v) && v > 0).toBe(true);
  });

  it('rejects malformed input', () => {
    expect(() =>
      estimateFactorRiskModel({ returns, nT, nA: nA + 1, sector, nSectors, nStatFactors: 1 }),
    ).toThrow(/returns length/);
  });
});
