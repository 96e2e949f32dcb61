/** Validates the event against a schema of `lambdas/shared/events.ts` (a `ParseError`: 400 naming the field). */
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { z } from 'zod';

export const parseEvent = <S extends z.ZodType>(schema: S) => parser({ schema });
