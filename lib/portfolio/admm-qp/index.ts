/** The long-only factor-model portfolio QP (ADMM with polishing): see `solver.ts`. */
export { AdmmQpSolver } from './solver.ts';
export type { QpInstance, QpModel, QpOptions, QpResult, QpStatus } from './types.ts';
