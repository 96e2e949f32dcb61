/**
 * The caller's tenant: the JWT authorizer's `custom:tenant` claim, which must match `TENANT_ID_PATTERN`. There is
 * deliberately no fallback to `sub`: a user without a tenant is refused (401 `UNAUTHORIZED`), never given a
 * tenant of their own. The `tenant()` middleware puts the validated tenant on the event as `tenantId`.
 */
import type { MiddlewareObj } from '@middy/core';
import { UnauthorizedError } from '../../../lib/api/index.ts';
import { TENANT_ID_PATTERN } from '../../../lib/runs/run-record.ts';

/** The claim that carries the tenant: a Cognito custom attribute (or any IdP claim mapped to that name). */
export const TENANT_CLAIM = 'custom:tenant';

/** The part of an event the claims are read from (the authorizer is absent on a public route). */
export interface ClaimsEvent {
  readonly requestContext?: {
    readonly authorizer?: { readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> } };
  };
}

/** What `tenant()` adds to the event. */
export interface TenantEvent {
  tenantId: string;
}

export const tenantOf = (event: ClaimsEvent): string => {
  const value = event.requestContext?.authorizer?.jwt?.claims?.[TENANT_CLAIM];
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw new UnauthorizedError('the token carries no valid tenant claim');
  }
  return value;
};

export const tenant = (): MiddlewareObj<ClaimsEvent & TenantEvent> => ({
  name: 'tenant',
  before: (request) => {
    request.event.tenantId = tenantOf(request.event);
  },
});
