/**
 * lib/core: time and the NYSE calendar, errors, seeded RNG, panel types, hashing, search, small linear algebra and statistics.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/core may import nothing else in lib,
 * each through its index.ts; other folders of lib import lib/core through this file only; nothing in lib imports lib/api.
 */
export {
  barIndexAtOrAfter,
  barIndexAtOrBefore,
  barsInYear,
  barsPerYear,
  buildBarGrid,
  CALENDAR_FIRST_YEAR,
  monthsBetween,
  sessionsBetween,
} from './calendar.ts';
export { editDistance, nearestNames } from './edit-distance.ts';
export {
  type ApiCode,
  AppError,
  ConflictError,
  DataIntegrityError,
  type ErrorCode,
  type ErrorDetails,
  InvalidInputError,
  LookaheadError,
  NonDeterminismError,
  NotFoundError,
  UpstreamError,
} from './errors.ts';
export { canonicalJson, sha256Hex } from './hash.ts';
export { choleskyInPlace, choleskySolveInPlace } from './linalg.ts';
export {
  addDays,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  nyWallToUtcMs,
  utcMsToNyDate,
  utcMsToNyParts,
} from './ny-time.ts';
export type { BarGrid, FloatColumn, MembershipMask, Session, Universe } from './panel.ts';
export { hashString, Rng } from './rng.ts';
export { lowerBound, lowerBoundBy, lowerBoundString, upperBound } from './search.ts';
export { averageRanks, ordinalRanks, pearson } from './stats.ts';
export { isStorableNumber, MAX_STORABLE_MAGNITUDE, MIN_STORABLE_MAGNITUDE } from './storable-number.ts';
export { isUlid, ULID_PATTERN } from './ulid.ts';
