/**
 * `PaperStore` in Maps, for unit tests and single-process tools. It applies the pure rules of
 * `lib/paper/paper-store.ts` to stored copies, so it fails exactly like `DynamoPaperStore`. No method awaits
 * between its read and its write, so every write is atomic in one process (the conditional writes of DynamoDB).
 */
import {
  type ActiveStrategyPage,
  applyPatch,
  assertHourMs,
  assertStrategyKey,
  type DecisionPage,
  decisionPageLimit,
  decodeActiveCursor,
  decodeDecisionCursor,
  duplicateStrategy,
  encodeActiveCursor,
  encodeDecisionCursor,
  type ListDecisionsOptions,
  PaperDecisionRecord,
  type PaperStore,
  type PaperStrategyRecord,
  parseNewStrategy,
  parseOrInvalid,
  type StrategyPatch,
  strategyNotFound,
  validatePatch,
  versionConflict,
} from '../paper/paper-store.ts';

export class MemoryPaperStore implements PaperStore {
  readonly #strategies = new Map<string, PaperStrategyRecord>();
  /** strategy key → hourMs → decision */
  readonly #decisions = new Map<string, Map<number, PaperDecisionRecord>>();

  async createStrategy(record: PaperStrategyRecord): Promise<void> {
    const parsed = parseNewStrategy(record);
    const key = this.#key(parsed.tenantId, parsed.strategyId);
    if (this.#strategies.has(key)) throw duplicateStrategy(parsed.strategyId);
    this.#strategies.set(key, structuredClone(parsed));
  }

  async getStrategy(tenantId: string, strategyId: string): Promise<PaperStrategyRecord> {
    return structuredClone(this.#current(tenantId, strategyId));
  }

  async updateStrategy(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord> {
    validatePatch(expectedVersion, patch, nowMs);
    const current = this.#current(tenantId, strategyId);
    if (current.version !== expectedVersion) throw versionConflict(current, expectedVersion);
    const next = applyPatch(structuredClone(current), patch, nowMs);
    this.#strategies.set(this.#key(tenantId, strategyId), next);
    return structuredClone(next);
  }

  async putDecision(
    decision: PaperDecisionRecord,
  ): Promise<{ created: boolean; decision: PaperDecisionRecord }> {
    const parsed = parseOrInvalid(PaperDecisionRecord, decision, 'paper decision');
    const key = this.#key(parsed.tenantId, parsed.strategyId);
    let hours = this.#decisions.get(key);
    if (hours === undefined) {
      hours = new Map();
      this.#decisions.set(key, hours);
    }
    const existing = hours.get(parsed.hourMs);
    if (existing !== undefined) return { created: false, decision: structuredClone(existing) };
    hours.set(parsed.hourMs, structuredClone(parsed));
    return { created: true, decision: structuredClone(parsed) };
  }

  async getDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined> {
    assertHourMs(hourMs);
    const found = this.#decisions.get(this.#key(tenantId, strategyId))?.get(hourMs);
    return found === undefined ? undefined : structuredClone(found);
  }

  async listDecisions(
    tenantId: string,
    strategyId: string,
    options: ListDecisionsOptions,
  ): Promise<DecisionPage> {
    const limit = decisionPageLimit(options);
    const key = this.#key(tenantId, strategyId);
    const after = options.cursor === undefined ? undefined : decodeDecisionCursor(strategyId, options.cursor);
    const all = [...(this.#decisions.get(key)?.values() ?? [])]
      .filter((d) => d.hourMs >= options.fromMs && d.hourMs <= options.toMs)
      .filter((d) => after === undefined || d.hourMs > after)
      .sort((a, b) => a.hourMs - b.hourMs);
    const items = all.slice(0, limit).map((d) => structuredClone(d));
    const last = items.at(-1);
    return all.length > limit && last !== undefined
      ? { items, nextCursor: encodeDecisionCursor(strategyId, last.hourMs) }
      : { items };
  }

  async listActiveStrategies(options: { limit?: number; cursor?: string } = {}): Promise<ActiveStrategyPage> {
    const limit = options.limit ?? 100;
    const after = options.cursor === undefined ? undefined : decodeActiveCursor(options.cursor);
    const key = (t: string, s: string) => `${t}#${s}`;
    const all = [...this.#strategies.values()]
      .filter((r) => r.status === 'ACTIVE')
      .map((r) => ({ tenantId: r.tenantId, strategyId: r.strategyId }))
      .sort((x, y) => (key(x.tenantId, x.strategyId) < key(y.tenantId, y.strategyId) ? -1 : 1))
      .filter(
        (r) => after === undefined || key(r.tenantId, r.strategyId) > key(after.tenantId, after.strategyId),
      );
    const items = all.slice(0, limit);
    const last = items.at(-1);
    return all.length > limit && last !== undefined
      ? { items, nextCursor: encodeActiveCursor(last.tenantId, last.strategyId) }
      : { items };
  }

  #key(tenantId: string, strategyId: string): string {
    assertStrategyKey(tenantId, strategyId);
    return `${tenantId}#${strategyId}`;
  }

  #current(tenantId: string, strategyId: string): PaperStrategyRecord {
    const found = this.#strategies.get(this.#key(tenantId, strategyId));
    if (found === undefined) throw strategyNotFound(strategyId);
    return found;
  }
}
