/**
 * The numbers every store can keep. DynamoDB holds a number of magnitude 1e-130 … 9.9999999999999999999999999999999999999e125
 * (or 0) and refuses anything else with a validation error; a double such as 5e-324 or 1e300 is valid JSON and a
 * valid S3 body, so it must be refused before it reaches any store, at the edge, with the field named.
 */

/** The smallest non-zero magnitude a store accepts. */
export const MIN_STORABLE_MAGNITUDE = 1e-130;
/** The largest magnitude a store accepts (DynamoDB's limit rounded down to three significant digits). */
export const MAX_STORABLE_MAGNITUDE = 9.99e125;

/** true for 0 and for finite numbers whose magnitude is in [1e-130, 9.99e125]. */
export const isStorableNumber = (x: number): boolean => {
  if (x === 0) return true;
  const m = Math.abs(x);
  return m >= MIN_STORABLE_MAGNITUDE && m <= MAX_STORABLE_MAGNITUDE;
};
