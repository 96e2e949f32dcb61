/**
 * What the handlers write to the logs: one INFO line at the start and one at the end of every step invocation
 * (run id, stage, item, seconds — what `hts logs RUN_ID` filters and shows), and no empty-metrics warning from API
 * routes that store no metric, while routes that count something still publish it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { observability } from '../../lambdas/shared/middleware/observability.ts';
import { createStepHandler } from '../../lambdas/shared/step-handler.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { lambdaContext } from './support.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines written to stdout while `fn` runs. */
async function capture(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  try {
    await fn().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const MonthInput = z.object({ tenantId: z.string(), runId: z.string(), month: z.string() }).strict();

describe('lambdas/shared/step-handler: one INFO line per step start and end', () => {
  it('logs start and end with runId, stage, item and seconds', async () => {
    const logger = new Logger({ serviceName: 'hts-steps', logLevel: 'INFO' });
    const handler = createStepHandler(
      'BuildFeatures',
      MonthInput,
      { logger, workflow: () => ({}) as WorkflowContext },
      async () => 'built',
    );
    const lines = await capture(() =>
      handler({ tenantId: 't', runId: 'RUN1', month: '2024-07' }, lambdaContext()),
    );
    expect(lines.map((l) => l.message)).toEqual(['step start', 'step end']);
    for (const l of lines) {
      expect(l).toMatchObject({ level: 'INFO', runId: 'RUN1', stage: 'buildFeatures', item: '2024-07' });
    }
    expect(typeof lines[1]!.seconds).toBe('number');
    expect(lines[0]!.seconds).toBeUndefined();
  });

  it('a failed step logs its start and the error, with the run and stage', async () => {
    const logger = new Logger({ serviceName: 'hts-steps', logLevel: 'INFO' });
    const handler = createStepHandler(
      'Prepare',
      z.object({ tenantId: z.string(), runId: z.string() }).strict(),
      { logger, workflow: () => ({}) as WorkflowContext },
      async () => {
        throw new Error('boom');
      },
    );
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const lines = await capture(() => handler({ tenantId: 't', runId: 'RUN2' }, lambdaContext()));
    const all = [
      ...lines,
      ...out
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    ];
    expect(all.map((l) => l.message)).toEqual(expect.arrayContaining(['step start', 'Prepare failed']));
    expect(all.find((l) => l.message === 'Prepare failed')).toMatchObject({
      runId: 'RUN2',
      stage: 'prepare',
    });
  });
});

describe('lambdas/shared/middleware/observability: metrics', () => {
  const routeWith = (metrics: Metrics, count: boolean) =>
    middy(async () => {
      if (count) metrics.addMetric('BacktestSubmitted', MetricUnit.Count, 1);
      return { statusCode: 200, body: '{}' };
    }).use(observability({ logger: new Logger({ logLevel: 'SILENT' }), metrics }));

  it('a route that stores no metric publishes nothing and warns nothing', async () => {
    const warn = vi.fn();
    const metrics = new Metrics({
      namespace: 'hts-test',
      serviceName: 'api',
      logger: { warn, info: vi.fn(), debug: vi.fn(), error: vi.fn() },
    });
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const handler = routeWith(metrics, false);
    await capture(async () => {
      for (let i = 0; i < 3; i++) await handler({}, lambdaContext());
    });
    expect(publish).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('a route that counts something publishes its metrics once per request', async () => {
    const metrics = new Metrics({ namespace: 'hts-test', serviceName: 'api' });
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const handler = routeWith(metrics, true);
    await capture(() => handler({}, lambdaContext()));
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false); // flushed
  });
});
