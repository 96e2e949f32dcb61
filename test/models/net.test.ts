import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.ts';
import {
  initNet,
  loadBatch,
  type Net,
  NetWorkspace,
  netLossAndGrad,
  netPermutationImportance,
  predictNet,
  trainNet,
} from '../../lib/models/net.ts';

function data(n: number, p: number, seed: number) {
  const rng = Rng.fromSeed(seed);
  const x = new Float32Array(n * p);
  const yRet = new Float64Array(n);
  const yDown = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = rng.normal();
    const s = x[i * p]! - 0.5 * Math.abs(x[i * p + 1]!);
    yRet[i] = 0.01 * (s + 0.5 * rng.normal());
    yDown[i] = s + 0.5 * rng.normal() < -1 ? 1 : 0;
  }
  const hourOffsets = Int32Array.from({ length: n / 50 + 1 }, (_, h) => h * 50);
  return { n, p, x, yRet, yDown, hourOffsets };
}

describe('net: gradients against central finite differences', () => {
  for (const [name, delta] of [
    ['quadratic Huber region', 10],
    ['linear Huber region', 0.05],
  ] as const) {
    it(`every parameter's gradient matches (${name})`, () => {
      const p = 5;
      const B = 12;
      const net = initNet(p, [6, 4], 3, 1, 0.3);
      // larger head weights so every parameter has a visible gradient
      for (let k = 0; k < net.theta.length; k++) net.theta[k] = net.theta[k]! * 1.5 + 0.05 * Math.sin(k);
      const d = data(50, p, 9);
      const ws = new NetWorkspace(p, [6, 4], B);
      const rows = Int32Array.from({ length: B }, (_, i) => i);
      const y = Float64Array.from({ length: B }, (_, i) => d.yRet[i]! * 100);
      const dn = Float64Array.from({ length: B }, (_, i) => d.yDown[i]!);
      const opts = { huberDelta: delta, downsideWeight: 0.7, dropout: 0 };
      loadBatch(ws, d.x, p, rows, 0, B);
      netLossAndGrad(net, ws, B, y, dn, opts, null, true);
      const analytic = ws.grad.slice();
      let checked = 0;
      for (let k = 0; k < net.theta.length; k++) {
        const w0 = net.theta[k]!;
        const h = 1e-2;
        net.theta[k] = w0 + h;
        const hp = net.theta[k]! - w0;
        const lp = netLossAndGrad(net, ws, B, y, dn, opts, null, false);
        net.theta[k] = w0 - h;
        const hm = w0 - net.theta[k]!;
        const lm = netLossAndGrad(net, ws, B, y, dn, opts, null, false);
        net.theta[k] = w0;
        const fd = (lp - lm) / (hp + hm);
        const a = analytic[k]!;
        expect(Math.abs(fd - a), `theta[${k}]: fd ${fd} vs analytic ${a}`).toBeLessThan(
          2e-3 + 2e-2 * Math.abs(a),
        );
        if (Math.abs(a) > 1e-3) checked++;
      }
      expect(checked).toBeGreaterThan(net.theta.length / 2);
    });
  }
});

describe('net: trainNet', () => {
  const train = data(6000, 6, 1);
  const valid = data(1500, 6, 2);
  const params = { hidden: [16, 8], epochs: 4, seed: 5, hoursPerBatch: 2 };

  it('is deterministic per seed (bit for bit) and seed-dependent', () => {
    const a = trainNet(train, params, valid);
    const b = trainNet(train, params, valid);
    expect(Buffer.from(b.net.theta.buffer).equals(Buffer.from(a.net.theta.buffer))).toBe(true);
    const c = trainNet(train, { ...params, seed: 6 }, valid);
    expect(Buffer.from(c.net.theta.buffer).equals(Buffer.from(a.net.theta.buffer))).toBe(false);
  });

  it('learns both heads and keeps the best epoch', () => {
    const fit = trainNet(train, params, valid);
    expect(fit.validLoss[fit.bestEpoch - 1]).toBe(Math.min(...fit.validLoss));
    expect(fit.trainLoss[fit.trainLoss.length - 1]!).toBeLessThan(fit.trainLoss[0]!);
    const mu = new Float64Array(valid.n);
    const pd = new Float64Array(valid.n);
    predictNet(fit.net, valid.x, valid.n, mu, pd);
    let c = 0;
    let pe = 0;
    let pn = 0;
    let ne = 0;
    for (let i = 0; i < valid.n; i++) {
      c += mu[i]! * valid.yRet[i]!;
      if (valid.yDown[i] === 1) {
        pe += pd[i]!;
        ne++;
      } else pn += pd[i]!;
    }
    expect(c).toBeGreaterThan(0);
    expect(pe / ne).toBeGreaterThan(pn / (valid.n - ne) + 0.1);
  });

  it('permutation importance ranks the signal features first', () => {
    const fit = trainNet(train, params, valid);
    const imp = netPermutationImportance(fit.net as Net, valid, 1000, 1);
    const order = Array.from(imp)
      .map((v, j) => [v, j] as const)
      .sort((a, b) => b[0] - a[0]);
    expect(order[0]![1]).toBe(0);
    expect(imp[0]!).toBeGreaterThan(0);
  });

  it('rejects bad parameters with the field named', () => {
    expect(() => trainNet(train, { dropout: 1 }, null)).toThrow(/net\.dropout/);
    expect(() => initNet(3, [0], 1)).toThrow(/net\.hidden/);
  });
});
