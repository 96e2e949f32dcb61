import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { objectStoreContract } from './object-store.contract.ts';

objectStoreContract('MemoryObjectStore', async () => new MemoryObjectStore(), { atomicPutOnce: true });

describe('MemoryObjectStore: contentTypeOf', () => {
  it('keeps the content type given to put and putOnce', async () => {
    const store = new MemoryObjectStore();
    await store.put('a.json', new Uint8Array([1]), { contentType: 'application/json' });
    await store.putOnce('b.html', new Uint8Array([2]), { contentType: 'text/html' });
    await store.put('c.bin', new Uint8Array([3]));

    expect(store.contentTypeOf('a.json')).toBe('application/json');
    expect(store.contentTypeOf('b.html')).toBe('text/html');
    expect(store.contentTypeOf('c.bin')).toBeUndefined();
  });
});
