import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { scrubMessage } from '../../lib/api/views.ts';
import { ObjectStoreDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import { datasetManifestKey, datasetNamePointerKey } from '../../lib/data/dataset-keys.ts';
import { putJson } from '../../lib/data/object-store.ts';
import { payloadHashOf, scopedIdempotencyKey } from '../../lib/runs/idempotency.ts';

const ID = 'ds_0123456789abcdef01234567';

describe('workflow/dataset-catalog: ObjectStoreDatasetCatalog.resolve', () => {
  it('knows an id by its manifest and a name by its pointer; unknown or unsafe names resolve to nothing', async () => {
    const store = new MemoryObjectStore();
    await putJson(store, datasetManifestKey(ID), { name: 'demo' });
    await putJson(store, datasetNamePointerKey('demo'), { datasetId: ID });
    await putJson(store, datasetNamePointerKey('stale'), { datasetId: 'ds_ffffffffffffffffffffffff' });
    const catalog = new ObjectStoreDatasetCatalog(store);
    expect(await catalog.resolve({ id: ID })).toBe(ID);
    expect(await catalog.resolve({ name: 'demo' })).toBe(ID);
    expect(await catalog.resolve({ id: 'ds_ffffffffffffffffffffffff' })).toBeUndefined();
    expect(await catalog.resolve({ name: 'stale' })).toBeUndefined();
    expect(await catalog.resolve({ name: 'missing' })).toBeUndefined();
    for (const name of ['../demo', 'a/b', '..', 'demo\u0000', '.hidden']) {
      expect(await catalog.resolve({ name })).toBeUndefined();
    }
  });
});

describe('workflow/idempotency: scopedIdempotencyKey and payloadHashOf', () => {
  it('scopes by tenant without ambiguity and hashes bodies canonically', () => {
    expect(scopedIdempotencyKey('acme', 'k')).not.toBe(scopedIdempotencyKey('globex', 'k'));
    // Concatenation alone would make these equal ("ab" + "c" = "a" + "bc").
    expect(scopedIdempotencyKey('ab', 'c')).not.toBe(scopedIdempotencyKey('a', 'bc'));
    expect(scopedIdempotencyKey('acme', 'k')).toMatch(/^[0-9a-f]{64}$/);
    expect(payloadHashOf({ a: 1, b: { c: [1, 2] } })).toBe(payloadHashOf({ b: { c: [1, 2] }, a: 1 }));
    expect(payloadHashOf({ a: [1, 2] })).not.toBe(payloadHashOf({ a: [2, 1] }));
  });
});

describe('workflow/api: scrubMessage', () => {
  it('removes ARNs and object keys', () => {
    const scrubbed = scrubMessage(
      'failed on arn:aws:states:us-east-1:123456789012:execution:sm:01X reading tenants/acme/runs/01X/plan.json and datasets/ds_1/manifest.json',
    );
    expect(scrubbed).not.toMatch(/arn:|tenants\/|datasets\//);
    expect(scrubbed).toContain('[arn]');
  });
});
