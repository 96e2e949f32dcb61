/** The GBDT's data, its fitted model (plain JSON) and the fit's by-products. */
import type { GbdtObjective } from './params.ts';

/** A row-major feature matrix (n × p, NaN = missing) with its targets. */
export interface GbdtData {
  readonly n: number;
  readonly p: number;
  readonly x: Float32Array;
  /** Target: the value (regression) or 0/1 (binary). */
  readonly y: ArrayLike<number>;
}

/** One tree as parallel arrays over its nodes (node 0 is the root). A leaf has feature −1. */
export interface GbdtTree {
  readonly feature: number[];
  /** Go left when x <= threshold (non-missing); `ALMOST_INF` for a split of missing vs non-missing. */
  readonly threshold: number[];
  /** 1 when missing values go left. */
  readonly missingLeft: number[];
  readonly left: number[];
  readonly right: number[];
  /** Leaf values (already multiplied by the learning rate); 0 for internal nodes. */
  readonly value: number[];
}

/** The fitted model: plain JSON. Prediction = baseline + Σ tree values (σ of it for `binary`). */
export interface GbdtModel {
  readonly objective: GbdtObjective;
  readonly nFeatures: number;
  readonly baseline: number;
  readonly trees: GbdtTree[];
}

export interface GbdtFit {
  readonly model: GbdtModel;
  /** Trees kept (the best iteration when early stopping ran). */
  readonly bestIteration: number;
  readonly trainLoss: number[];
  readonly validLoss: number[];
  /** Total split gain per feature over the kept trees. */
  readonly gainImportance: Float64Array;
  /** Bin thresholds per feature (x <= thresholds[b] falls in bin <= b). */
  readonly binThresholds: Float64Array[];
}

/** Stands in for +∞ in thresholds (JSON has no Infinity); scikit-learn's ALMOST_INF. */
export const ALMOST_INF = 1e300;
/** The bin of missing values (above every real bin). */
export const MISSING_BIN = 255;
