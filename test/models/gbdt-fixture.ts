/** Loads test/fixtures/gbdt/fixture.json (scikit-learn reference numbers; see make_fixture.py). */
import { readFileSync } from 'node:fs';

export interface FixtureCase {
  readonly name: string;
  readonly objective: 'regression' | 'binary';
  readonly params: {
    readonly numTrees: number;
    readonly learningRate: number;
    readonly numLeaves: number;
    readonly maxDepth: number | null;
    readonly minDataInLeaf: number;
    readonly l2: number;
    readonly maxBins: number;
  };
  readonly binThresholds: number[][];
  readonly baseline: number;
  readonly nTrees: number;
  readonly leavesPerTree: number[];
  readonly testPrediction: Float64Array;
  readonly testMetric: { readonly mse?: number; readonly logloss?: number };
}

export interface GbdtFixture {
  readonly sklearn: string;
  readonly nTrain: number;
  readonly nTest: number;
  readonly p: number;
  readonly xTrain: Float32Array;
  readonly xTest: Float32Array;
  readonly yRegTrain: Float32Array;
  readonly yRegTest: Float32Array;
  readonly yClsTrain: Float32Array;
  readonly yClsTest: Float32Array;
  readonly cases: readonly FixtureCase[];
}

function f32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
function f64(b64: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function loadGbdtFixture(): GbdtFixture {
  const raw = JSON.parse(readFileSync(new URL('../fixtures/gbdt/fixture.json', import.meta.url), 'utf8')) as {
    sklearn: string;
    nTrain: number;
    nTest: number;
    p: number;
    X: string;
    yReg: string;
    yCls: string;
    cases: (Omit<FixtureCase, 'testPrediction'> & { testPrediction: string })[];
  };
  const { nTrain, nTest, p } = raw;
  const x = f32(raw.X);
  const yReg = f32(raw.yReg);
  const yCls = f32(raw.yCls);
  return {
    sklearn: raw.sklearn,
    nTrain,
    nTest,
    p,
    xTrain: x.slice(0, nTrain * p),
    xTest: x.slice(nTrain * p, (nTrain + nTest) * p),
    yRegTrain: yReg.slice(0, nTrain),
    yRegTest: yReg.slice(nTrain),
    yClsTrain: yCls.slice(0, nTrain),
    yClsTest: yCls.slice(nTrain),
    cases: raw.cases.map((c) => ({ ...c, testPrediction: f64(c.testPrediction) })),
  };
}
