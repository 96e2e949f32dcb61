export {
  type TradeBinding,
  type TradeInstance,
  TradeOptimizer,
  type TradeOptions,
  type TradeResult,
  type TradeRiskModel,
  type TradeSectors,
  type TradeStatus,
} from './trade-optimizer.ts';
