/**
 * `hts serve [--port N] [--tenant T]`: the local stack until Ctrl-C — the HTTP API (the same routes as API
 * Gateway), the run list at `/` with links to each run's report.html, presigned artifact downloads from the local
 * S3. Every dataset folder under `{root}/datasets/` is published under its folder name first, so a spec naming
 * `{"name": "demo"}` runs as soon as the demo dataset exists; until then the API answers 503 with `Retry-After`.
 * Ctrl-C (or SIGTERM, or the wrapper that started it dying) stops it, a publish in progress included (between
 * two objects), and exits 0.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { DATASET_NAME_PATTERN } from '../../../lib/data/dataset-keys.ts';
import { publishDataset } from '../../stack/publish-dataset.ts';
import { DEFAULT_TENANT, startLocalStack } from '../../stack/stack.ts';
import { flagInt, flagString, type ParsedArgs } from '../args.ts';
import { StoppedError, stopSignal, whenStopped } from '../stop-signals.ts';

export const DEFAULT_PORT = 8787;

export async function serveCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const port = flagInt(args, 'port') ?? DEFAULT_PORT;
  if (port < 0 || port > 65_535) {
    throw new InvalidInputError(`--port must be in [0, 65535], received ${port}`, { field: 'port' });
  }
  const tenant = flagString(args, 'tenant') ?? DEFAULT_TENANT;
  const workers = flagInt(args, 'workers');
  if (workers !== undefined && workers < 1) {
    throw new InvalidInputError(`--workers must be at least 1, received ${workers}`, { field: 'workers' });
  }
  const stop = stopSignal();
  const stack = await startLocalStack({
    root,
    port,
    defaultTenant: tenant,
    ...(workers !== undefined && { workers }),
    unavailable: 'the local stack is publishing its datasets; retry shortly',
  });
  try {
    const datasets: { name: string; datasetId: string }[] = [];
    const dir = join(stack.root, 'datasets');
    try {
      if (existsSync(dir)) {
        for (const name of readdirSync(dir).sort()) {
          if (!DATASET_NAME_PATTERN.test(name) || !existsSync(join(dir, name, 'manifest.json'))) continue;
          process.stderr.write(`publishing dataset ${name}…\n`);
          const published = await publishDataset(stack.store, join(dir, name), [name], stop);
          datasets.push({ name, datasetId: published.datasetId });
        }
      }
    } catch (e) {
      // stopped while publishing: what was written is whole, and the manifest (written last) is not there
      if (e instanceof StoppedError) return 0;
      throw e;
    }
    if (stop.aborted) return 0;
    stack.setUnavailable(undefined);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ apiUrl: stack.apiUrl, s3Endpoint: stack.s3Endpoint, tenant, datasets, codeVersion: stack.codeVersion })}\n`,
      );
    } else {
      const u = stack.apiUrl;
      process.stdout.write(
        [
          `hts local API on ${u}  (tenant '${tenant}' without a token; 'Authorization: Bearer local:<tenant>' for another)`,
          `  runs and reports: ${u}/`,
          `  datasets: ${datasets.length === 0 ? `none yet (hts data generate --out ${join(stack.root, 'datasets', 'NAME')})` : datasets.map((d) => `${d.name} (${d.datasetId})`).join(', ')}`,
          `  logs: ${join(stack.root, 'logs', 'lambda.log')}`,
          '',
          `  curl -s -X POST ${u}/v1/backtests -H 'content-type: application/json' -H "idempotency-key: $(uuidgen)" --data @examples/demo.json`,
          `  curl -s ${u}/v1/backtests/RUN_ID`,
          `  curl -s ${u}/v1/backtests`,
          `  curl -s ${u}/v1/backtests/RUN_ID/artifacts   # presigned URLs: curl -o report.html 'URL'`,
          '',
          'Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
    }
    await whenStopped();
    if (!json) process.stderr.write('stopping…\n');
    return 0;
  } finally {
    await stack.stop();
  }
}
