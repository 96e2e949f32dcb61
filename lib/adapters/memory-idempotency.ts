/**
 * `IdempotencyGuard` in a Map, for unit tests and single-process tools. Check-and-claim happens in one
 * synchronous step, so of concurrent first attempts exactly one runs `work`.
 */
import {
  type IdempotencyGuard,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  type IdempotentRequest,
  type IdempotentResult,
} from '../runs/index.ts';

interface Entry {
  readonly payloadHash: string;
  result?: IdempotentResult;
}

export class MemoryIdempotencyGuard implements IdempotencyGuard {
  readonly #entries = new Map<string, Entry>();

  async once(
    request: IdempotentRequest,
    work: () => Promise<IdempotentResult>,
  ): Promise<IdempotentResult & { replayed: boolean }> {
    const existing = this.#entries.get(request.scopedKey);
    if (existing !== undefined) {
      if (existing.payloadHash !== request.payloadHash) throw new IdempotencyPayloadMismatchError();
      if (existing.result === undefined) throw new IdempotencyInProgressError();
      return { runId: existing.result.runId, replayed: true };
    }
    const entry: Entry = { payloadHash: request.payloadHash };
    this.#entries.set(request.scopedKey, entry);
    try {
      const result = await work();
      entry.result = { runId: result.runId };
      return { runId: result.runId, replayed: false };
    } catch (e) {
      this.#entries.delete(request.scopedKey);
      throw e;
    }
  }

  /** Number of stored keys (for tests). */
  get size(): number {
    return this.#entries.size;
  }
}
