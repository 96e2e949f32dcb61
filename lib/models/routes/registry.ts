/**
 * The model routes by kind (`spec.model.route`). Adding a route: its module here (a `ModelRoute`), its line
 * below and its kind in `Route` (model-params.ts); the type below fails until all three agree.
 */
import type { Route } from '../model-params.ts';
import { ensemble } from './ensemble.ts';
import type { ModelRoute } from './model-route.ts';
import { routeA } from './route-a.ts';
import { routeB } from './route-b.ts';

export const MODEL_ROUTES: { readonly [K in Route]: ModelRoute<K> } = {
  A: routeA,
  B: routeB,
  ensemble,
};

/** The route of a kind. */
export function modelRoute(kind: Route): ModelRoute {
  return MODEL_ROUTES[kind];
}
