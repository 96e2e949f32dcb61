import type { EngineConfig, EngineMarket } from './chunk-input.ts';
import type { HourDecider } from './decision-port.ts';
import { simulateChunk } from './engine.ts';
import type { SimOutputs } from './records.ts';
import type { SimState } from './sim-state.ts';

/**
 * Runs bars [state.nextBar, end) as consecutive chunks ending at each of `boundaries` (ascending, within the range;
 * `end` is always the last boundary), passing each chunk's state to the next through a JSON round trip and
 * validation exactly as the workflow does between Lambdas. Returns the final state and every chunk's outputs.
 */
export function simulateInChunks(
  state: SimState,
  config: EngineConfig,
  market: EngineMarket,
  decider: HourDecider,
  end: number,
  boundaries: readonly number[] = [],
  reload: (json: string) => SimState = (json) => JSON.parse(json) as SimState,
): { state: SimState; chunks: SimOutputs[] } {
  const cuts = [...new Set([...boundaries.filter((b) => b > state.nextBar && b < end), end])].sort(
    (x, y) => x - y,
  );
  const chunks: SimOutputs[] = [];
  let s = state;
  for (const cut of cuts) {
    const r = simulateChunk(s, { config, market, decider, startBar: s.nextBar, endBar: cut });
    chunks.push(r.outputs);
    s = reload(JSON.stringify(r.state));
  }
  return { state: s, chunks };
}
