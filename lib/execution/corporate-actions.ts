/**
 * Corporate actions on a book of positions (dense shares per asset): splits (shares × ratio, the fraction paid in
 * cash) and delisting closes (cashed out without costs). The engine applies them at the open (splits) and at the
 * close (delistings) of a bar; they are not trades.
 */
import { DataIntegrityError, InvalidInputError } from '../core/index.ts';

/**
 * A split of asset `a` with `ratio` new shares per old share (2 for a 2-for-1, 0.1 for a 1-for-10 reverse split).
 * The position becomes `floor(shares × ratio)`; the fraction is paid in cash at `postSplitPrice` (cash in lieu),
 * so value is kept: `shares × prePrice = newShares × postSplitPrice + cashInLieu` with
 * `postSplitPrice = prePrice / ratio`. Pending orders (shares) of the asset, when given, are scaled by `ratio`.
 * Returns the cash in lieu (0 when the new position is whole).
 */
export function applySplit(
  positions: Float64Array,
  a: number,
  ratio: number,
  postSplitPrice: number,
  pending?: Float64Array,
): number {
  if (!(ratio > 0 && ratio < Number.POSITIVE_INFINITY)) {
    throw new DataIntegrityError(`split ratio must be finite and > 0, received ${ratio}`, {
      dataset: 'corporate_actions',
      rule: 'split_ratio_positive',
      asset: a,
    });
  }
  const old = positions[a];
  if (old === undefined) {
    throw new InvalidInputError(`asset index ${a} out of range [0, ${positions.length})`, { field: 'asset' });
  }
  const exact = old * ratio;
  // Tolerate the binary rounding of ratios such as 1/3 × 3: snap to the integer within 1e-9 shares.
  const nearest = Math.round(exact);
  const whole = Math.abs(exact - nearest) < 1e-9 ? nearest : Math.floor(exact);
  const fraction = exact - whole;
  positions[a] = whole;
  if (pending !== undefined) pending[a] = pending[a]! * ratio;
  if (fraction <= 0) return 0;
  if (!(postSplitPrice > 0 && postSplitPrice < Number.POSITIVE_INFINITY)) {
    throw new DataIntegrityError(
      `a split leaving a fractional share needs a post-split price > 0, received ${postSplitPrice}`,
      { dataset: 'bars', rule: 'price_positive', asset: a },
    );
  }
  return fraction * postSplitPrice;
}

/**
 * Close a delisted holding of asset `a` at its last traded price, without transaction costs (the position is
 * cashed out by the corporate event, not traded). Zeroes the position and any pending order of the asset and
 * returns the proceeds to add to cash. A non-positive or missing last price with shares held is corrupt data.
 */
export function closeDelisted(
  positions: Float64Array,
  a: number,
  lastPrice: number,
  pending?: Float64Array,
): number {
  const shares = positions[a];
  if (shares === undefined) {
    throw new InvalidInputError(`asset index ${a} out of range [0, ${positions.length})`, { field: 'asset' });
  }
  if (pending !== undefined) pending[a] = 0;
  if (shares === 0) return 0;
  if (!(lastPrice > 0 && lastPrice < Number.POSITIVE_INFINITY)) {
    throw new DataIntegrityError(
      `delisted holding of asset ${a} needs a last price > 0, received ${lastPrice}`,
      {
        dataset: 'bars',
        rule: 'price_positive',
        asset: a,
      },
    );
  }
  positions[a] = 0;
  return shares * lastPrice;
}
