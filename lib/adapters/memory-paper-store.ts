/**
 * `PaperStore` in Maps, for unit tests and single-process tools: the storage primitives of `BasePaperStore`,
 * which owns the API and its rules. No primitive awaits between its read and its write, so every write is
 * atomic in one process (the conditional writes of DynamoDB).
 */
import {
  applyPatch,
  BasePaperStore,
  type PaperDecisionRecord,
  type PaperStrategyRecord,
  type StrategyPatch,
  type StrategyRef,
  strategyUpdateConflict,
} from '../paper/index.ts';

const keyOf = (tenantId: string, strategyId: string): string => `${tenantId}#${strategyId}`;

export class MemoryPaperStore extends BasePaperStore {
  readonly #strategies = new Map<string, PaperStrategyRecord>();
  /** strategy key → hourMs → decision */
  readonly #decisions = new Map<string, Map<number, PaperDecisionRecord>>();

  protected async insertStrategyIfAbsent(record: PaperStrategyRecord): Promise<boolean> {
    const key = keyOf(record.tenantId, record.strategyId);
    if (this.#strategies.has(key)) return false;
    this.#strategies.set(key, structuredClone(record));
    return true;
  }

  protected async readStrategy(
    tenantId: string,
    strategyId: string,
  ): Promise<PaperStrategyRecord | undefined> {
    const found = this.#strategies.get(keyOf(tenantId, strategyId));
    return found === undefined ? undefined : structuredClone(found);
  }

  protected async updateStrategyIf(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord | undefined> {
    const current = this.#strategies.get(keyOf(tenantId, strategyId));
    if (current === undefined || strategyUpdateConflict(current, expectedVersion, patch) !== undefined) {
      return undefined;
    }
    const next = applyPatch(structuredClone(current), patch, nowMs);
    this.#strategies.set(keyOf(tenantId, strategyId), next);
    return structuredClone(next);
  }

  protected async insertDecisionIfAbsent(decision: PaperDecisionRecord): Promise<boolean> {
    const key = keyOf(decision.tenantId, decision.strategyId);
    let hours = this.#decisions.get(key);
    if (hours === undefined) {
      hours = new Map();
      this.#decisions.set(key, hours);
    }
    if (hours.has(decision.hourMs)) return false;
    hours.set(decision.hourMs, structuredClone(decision));
    return true;
  }

  protected async readDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined> {
    const found = this.#decisions.get(keyOf(tenantId, strategyId))?.get(hourMs);
    return found === undefined ? undefined : structuredClone(found);
  }

  protected async decisionsBetween(
    tenantId: string,
    strategyId: string,
    fromMs: number,
    toMs: number,
    max: number,
  ): Promise<PaperDecisionRecord[]> {
    return [...(this.#decisions.get(keyOf(tenantId, strategyId))?.values() ?? [])]
      .filter((d) => d.hourMs >= fromMs && d.hourMs <= toMs)
      .sort((a, b) => a.hourMs - b.hourMs)
      .slice(0, max)
      .map((d) => structuredClone(d));
  }

  protected async activeStrategiesAfter(after: StrategyRef | undefined, max: number): Promise<StrategyRef[]> {
    const afterKey = after === undefined ? undefined : keyOf(after.tenantId, after.strategyId);
    return [...this.#strategies.values()]
      .filter((r) => r.status === 'ACTIVE')
      .map((r) => ({ tenantId: r.tenantId, strategyId: r.strategyId }))
      .sort((x, y) => (keyOf(x.tenantId, x.strategyId) < keyOf(y.tenantId, y.strategyId) ? -1 : 1))
      .filter((r) => afterKey === undefined || keyOf(r.tenantId, r.strategyId) > afterKey)
      .slice(0, max);
  }
}
