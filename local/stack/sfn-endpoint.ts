/**
 * A Step Functions endpoint on 127.0.0.1 for the local stack: the AWS JSON 1.0 protocol
 * (`POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`) for the operations the API uses — StartExecution,
 * DescribeExecution, StopExecution — over `LocalExecutions`. The API handlers' `SfnExecutionStarter` talks to it
 * through the AWS SDK (`SFN_ENDPOINT`), exactly as it talks to Step Functions in AWS. Errors answer 400 with
 * `{ "__type": "<ErrorName>", "message" }`, which the SDK turns into an exception of that name.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalExecution, type LocalExecutions, SfnApiError } from './executions.ts';

const MAX_BODY_BYTES = 1024 * 1024;

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function describeBody(e: LocalExecution, stateMachineArn: string): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDateMs),
    ...(e.stopDateMs !== undefined && { stopDate: seconds(e.stopDateMs) }),
    input: e.input,
    ...(e.output !== undefined && { output: e.output }),
    ...(e.error !== undefined && { error: e.error }),
    ...(e.cause !== undefined && { cause: e.cause }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

export function handleSfnRequest(
  executions: LocalExecutions,
  operation: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  switch (operation) {
    case 'StartExecution': {
      if (body.stateMachineArn !== executions.stateMachineArn) {
        throw new SfnApiError('StateMachineDoesNotExist', 'no such state machine');
      }
      const e = executions.startExecution(
        String(body.name ?? crypto.randomUUID()),
        String(body.input ?? '{}'),
      );
      return { executionArn: e.executionArn, startDate: seconds(e.startDateMs) };
    }
    case 'DescribeExecution':
      return describeBody(executions.describe(String(body.executionArn)), executions.stateMachineArn);
    case 'StopExecution': {
      const e = executions.stopExecution(
        String(body.executionArn),
        typeof body.cause === 'string' ? body.cause : undefined,
      );
      return { stopDate: seconds(e.stopDateMs ?? Date.now()) };
    }
    default:
      throw Object.assign(new Error(`operation ${operation} is not supported by the local stack`), {
        name: 'UnknownOperationException',
      });
  }
}

export interface SfnEndpoint {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startSfnEndpoint(executions: LocalExecutions): Promise<SfnEndpoint> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.')
        ? target.slice('AWSStepFunctions.'.length)
        : '';
      try {
        if (req.method !== 'POST' || operation === '') {
          send(res, 400, {
            __type: 'UnknownOperationException',
            message: 'expected an AWSStepFunctions call',
          });
          return;
        }
        const text = await readBody(req);
        const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
        send(res, 200, handleSfnRequest(executions, operation, body));
      } catch (e) {
        const err = e as Error;
        const known = err instanceof SfnApiError || err.name === 'UnknownOperationException';
        send(res, known ? 400 : 500, {
          __type: known ? err.name : 'InternalServerError',
          message: err.message,
        });
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
