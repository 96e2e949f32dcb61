/**
 * `hts serve [--port N] [--tenant T]`: the local stack until Ctrl-C — the HTTP API (the same routes as API
 * Gateway), the run list at `/` with links to each run's report.html, presigned artifact downloads from the local
 * S3. Every dataset folder under `{root}/datasets/` is published under its folder name first, so a spec naming
 * `{"name": "demo"}` runs as soon as the demo dataset exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { DATASET_NAME_PATTERN } from '../../../lib/data/dataset-keys.ts';
import { publishDataset } from '../../stack/publish-dataset.ts';
import { DEFAULT_TENANT, startLocalStack } from '../../stack/stack.ts';
import { flagInt, flagString, type ParsedArgs } from '../args.ts';

export const DEFAULT_PORT = 8787;

export async function serveCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const port = flagInt(args, 'port') ?? DEFAULT_PORT;
  if (port < 0 || port > 65_535) {
    throw new InvalidInputError(`--port must be in [0, 65535], received ${port}`, { field: 'port' });
  }
  const tenant = flagString(args, 'tenant') ?? DEFAULT_TENANT;
  const stack = await startLocalStack({ root, port, defaultTenant: tenant });
  try {
    const datasets: { name: string; datasetId: string }[] = [];
    const dir = join(stack.root, 'datasets');
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).sort()) {
        if (!DATASET_NAME_PATTERN.test(name) || !existsSync(join(dir, name, 'manifest.json'))) continue;
        const published = await publishDataset(stack.store, join(dir, name), [name]);
        datasets.push({ name, datasetId: published.datasetId });
      }
    }
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
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    if (!json) process.stderr.write('stopping…\n');
    return 0;
  } finally {
    await stack.stop();
  }
}
