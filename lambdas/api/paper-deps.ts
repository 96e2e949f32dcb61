/**
 * The paper routes' dependencies, as the route modules import them. The composition lives in
 * `lambdas/shared/deps.ts` (`PaperHandlerDeps`: `HandlerDeps` plus `paperApi`, the paper store being
 * `DynamoPaperStore` on the runs table); this module only names it for the paper routes.
 */
import { lambdaDeps, type PaperHandlerDeps } from '../shared/deps.ts';

export { type PaperHandlerDeps, paperApiDepsOf } from '../shared/deps.ts';

/** The deployed paper Lambdas' dependencies: the API Lambdas' own (one instance per process). */
export const paperLambdaDeps = (): PaperHandlerDeps => lambdaDeps();
