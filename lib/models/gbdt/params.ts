/** Hyper-parameters of the GBDT (see index.ts for the algorithm), their defaults and their checks. */
import { InvalidInputError } from '../../core/index.ts';

export type GbdtObjective = 'regression' | 'binary';

export interface GbdtParams {
  readonly objective: GbdtObjective;
  /** Boosting iterations (trees), before early stopping. */
  readonly numTrees: number;
  readonly learningRate: number;
  /** Maximum leaves per tree (leaf-wise growth). */
  readonly numLeaves: number;
  /** Maximum depth (root = 0); null for none. */
  readonly maxDepth: number | null;
  readonly minDataInLeaf: number;
  readonly minHessianInLeaf: number;
  /** L2 regularisation λ of leaf values. */
  readonly l2: number;
  /** Bins for non-missing values, 2..255. */
  readonly maxBins: number;
  /** Share of rows drawn (without replacement) for each tree, (0, 1]. */
  readonly rowSubsample: number;
  /** Share of features drawn for each tree, (0, 1]. */
  readonly featureSubsample: number;
  /** Stop when the validation loss has not improved by `tol` for this many trees; 0 = off. */
  readonly earlyStoppingRounds: number;
  readonly tol: number;
  /** Rows sampled to find bin thresholds (scikit-learn: 200,000). */
  readonly binSampleRows: number;
  readonly seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  objective: 'regression',
  numTrees: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: null,
  minDataInLeaf: 20,
  minHessianInLeaf: 1e-3,
  l2: 0,
  maxBins: 255,
  rowSubsample: 1,
  featureSubsample: 1,
  earlyStoppingRounds: 0,
  tol: 1e-7,
  binSampleRows: 200_000,
  seed: 0,
};

export function checkGbdtParams(p: GbdtParams): void {
  const bad = (field: string, expected: string, received: unknown): never => {
    throw new InvalidInputError(`gbdt.${field} must be ${expected}, received ${String(received)}`, {
      field: `gbdt.${field}`,
    });
  };
  if (!Number.isInteger(p.numTrees) || p.numTrees < 1) bad('numTrees', 'an integer >= 1', p.numTrees);
  if (!(p.learningRate > 0)) bad('learningRate', '> 0', p.learningRate);
  if (!Number.isInteger(p.numLeaves) || p.numLeaves < 2) bad('numLeaves', 'an integer >= 2', p.numLeaves);
  if (p.maxDepth !== null && (!Number.isInteger(p.maxDepth) || p.maxDepth < 1))
    bad('maxDepth', 'null or an integer >= 1', p.maxDepth);
  if (!Number.isInteger(p.minDataInLeaf) || p.minDataInLeaf < 1)
    bad('minDataInLeaf', 'an integer >= 1', p.minDataInLeaf);
  if (!(p.minHessianInLeaf >= 0)) bad('minHessianInLeaf', '>= 0', p.minHessianInLeaf);
  if (!(p.l2 >= 0)) bad('l2', '>= 0', p.l2);
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255)
    bad('maxBins', 'an integer 2..255', p.maxBins);
  if (!(p.rowSubsample > 0 && p.rowSubsample <= 1)) bad('rowSubsample', 'in (0, 1]', p.rowSubsample);
  if (!(p.featureSubsample > 0 && p.featureSubsample <= 1))
    bad('featureSubsample', 'in (0, 1]', p.featureSubsample);
  if (!Number.isInteger(p.earlyStoppingRounds) || p.earlyStoppingRounds < 0)
    bad('earlyStoppingRounds', 'an integer >= 0', p.earlyStoppingRounds);
  if (!Number.isInteger(p.binSampleRows) || p.binSampleRows < 2)
    bad('binSampleRows', 'an integer >= 2', p.binSampleRows);
}
