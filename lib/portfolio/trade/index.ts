export {
  type TradeBinding,
  type TradeInstance,
  TradeOptimizer,
  type TradeOptions,
  type TradeResult,
  type TradeRiskModel,
  type TradeSectors,
  type TradeSeed,
  type TradeStatus,
} from './trade-optimizer.ts';
