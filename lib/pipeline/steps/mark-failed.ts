import { isTerminalStatus } from '../../runs/index.ts';
import type { RunRef, WorkflowContext } from '../context.ts';

/** The error a Step Functions `Catch` passes on: `Error` is the error's name, `Cause` its JSON or text. */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

const NAME_TO_CODE: Readonly<Record<string, string>> = {
  InvalidInputError: 'INVALID_INPUT',
  NotFoundError: 'NOT_FOUND',
  ConflictError: 'CONFLICT',
  DataIntegrityError: 'DATA_INTEGRITY',
  LookaheadError: 'LOOKAHEAD',
  UpstreamError: 'UPSTREAM',
  NonDeterminismError: 'NON_DETERMINISM',
};

/**
 * The run's typed reason: a stable code from the error's name (an AppError subclass, or a Step Functions error
 * such as States.Timeout), and its message without stack traces, ARNs or object keys.
 */
export function failureReason(caught: CaughtError): { code: string; message: string } {
  const name = caught.Error ?? 'States.Runtime';
  const code = NAME_TO_CODE[name] ?? (/^States\.[A-Za-z]+$/.test(name) ? name : 'INTERNAL');
  let message = caught.Cause ?? name;
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  if (code === 'INTERNAL') message = 'internal error';
  message = message
    .replace(/arn:aws[a-z-]*:[^\s"']+/g, '<arn>')
    .replace(/\b(tenants|datasets)\/[^\s"']+/g, '<key>')
    .replace(/\n\s+at .*/g, '')
    .slice(0, 1000);
  return { code, message };
}

/** MarkFailed (every state's Catch): the run moves to FAILED with its typed reason, unless already terminal. */
export async function markFailed(
  ctx: WorkflowContext,
  input: RunRef & { error?: CaughtError },
): Promise<RunRef & { status: string }> {
  const record = await ctx.runs.get(input.tenantId, input.runId);
  if (isTerminalStatus(record.status))
    return { tenantId: input.tenantId, runId: input.runId, status: record.status };
  await ctx.runs.transition(input.tenantId, input.runId, {
    from: record.status,
    to: 'FAILED',
    expectedVersion: record.version,
    nowMs: ctx.nowMs(),
    patch: { error: failureReason(input.error ?? {}) },
  });
  return { tenantId: input.tenantId, runId: input.runId, status: 'FAILED' };
}
