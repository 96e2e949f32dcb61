/**
 * The body of one worker thread of the local stack: a stand-in for a warm Lambda execution environment. It
 * imports each handler module once (on its first invocation, so module-level state such as the memoised
 * adapters lives for the worker's lifetime, like a Lambda container's), builds a Lambda `Context` and calls the
 * module's exported `handler(event, context)`. The environment (BUCKET, endpoints, credentials, …) is the one
 * the pool gave the worker; nothing here is specific to a handler.
 *
 * Errors go back as `{ name, message, stack }`: the name is what Step Functions' `Retry`/`Catch` match on.
 */
import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { InvokeRequest, InvokeResponse } from './worker-pool.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const modules = new Map<string, Promise<Handler>>();

const load = (moduleUrl: string): Promise<Handler> => {
  let handler = modules.get(moduleUrl);
  if (handler === undefined) {
    handler = import(moduleUrl).then((m: Record<string, unknown>) => {
      if (typeof m.handler !== 'function') throw new Error(`${moduleUrl} exports no handler function`);
      return m.handler as Handler;
    });
    // a module that failed to load is loaded again next time (Lambda discards an environment whose init failed)
    handler.catch(() => modules.delete(moduleUrl));
    modules.set(moduleUrl, handler);
  }
  return handler;
};

const lambdaContext = (functionName: string, timeoutMs: number, region: string): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '3008',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

const port = parentPort;
if (port === null) throw new Error('local/lambda-worker.ts runs only as a worker thread');

port.on('message', async (request: InvokeRequest | { warm: readonly string[] }) => {
  if ('warm' in request) {
    // load the modules now (a provisioned-concurrency start), so the first invocations do not pay for it
    await Promise.allSettled(request.warm.map(load));
    return;
  }
  let response: InvokeResponse;
  try {
    const handler = await load(request.moduleUrl);
    // the function's timeout counts from here: loading the module is Lambda's init phase, not the invocation
    port.postMessage({ started: request.id });
    const context = lambdaContext(request.functionName, request.timeoutMs, process.env.AWS_REGION ?? 'local');
    const result = await handler(request.event, context);
    response = { id: request.id, ok: true, result: result === undefined ? null : result };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    response = {
      id: request.id,
      ok: false,
      error: { name: err.name, message: err.message, ...(err.stack !== undefined && { stack: err.stack }) },
    };
  }
  port.postMessage(response);
});
port.postMessage({ ready: true });
