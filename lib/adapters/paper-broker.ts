/**
 * The paper broker: a `Broker` that fills at the execution bar's open with the engine's own fill model
 * (`simulateFills` of `lib/execution`: sells before buys, participation cap against the bar's volume, lots,
 * slippage + spread + impact costs, pro-rata buys when cash is short). Given the same book and bar as the engine,
 * its fills are the engine's, bit for bit.
 *
 * `submit` validates the ticket and remembers it (per process) so that `settle` can refuse a ticket that was
 * never submitted or whose orders differ; re-submitting an identical ticket is a no-op, a different ticket under
 * the same id is a `ConflictError` (a live venue would reject a reused client order id the same way). After a
 * cold start it has no memory of earlier tickets: `settle` then trusts the ticket it is given (the tick rebuilds
 * it from the saved state, the only source of pending orders).
 */
import { ConflictError, InvalidInputError } from '../core/index.ts';
import { allocFillBuffers, FILL_STATUS_NAMES, FillStatus, simulateFills } from '../execution/index.ts';
import type { Broker, BrokerFill, FillReport, OrderTicket, SettleRequest } from '../paper/index.ts';

const sameOrders = (x: OrderTicket, y: OrderTicket): boolean =>
  x.executeAtMs === y.executeAtMs &&
  x.orders.symbol.length === y.orders.symbol.length &&
  x.orders.symbol.every((s, i) => s === y.orders.symbol[i] && x.orders.shares[i] === y.orders.shares[i]);

export class PaperBroker implements Broker {
  readonly #tickets = new Map<string, OrderTicket>();

  async submit(ticket: OrderTicket): Promise<void> {
    validateTicket(ticket);
    const known = this.#tickets.get(ticket.ticketId);
    if (known !== undefined) {
      if (!sameOrders(known, ticket)) {
        throw new ConflictError(`ticket ${ticket.ticketId} was already submitted with other orders`, {
          ticketId: ticket.ticketId,
        });
      }
      return;
    }
    this.#tickets.set(ticket.ticketId, structuredClone(ticket));
  }

  async cancel(ticketId: string): Promise<void> {
    this.#tickets.delete(ticketId);
  }

  async settle(request: SettleRequest): Promise<FillReport> {
    const { ticket, bar, book, execution } = request;
    validateTicket(ticket);
    const known = this.#tickets.get(ticket.ticketId);
    if (known !== undefined && !sameOrders(known, ticket)) {
      throw new ConflictError(`ticket ${ticket.ticketId} differs from the one submitted`, {
        ticketId: ticket.ticketId,
      });
    }
    const nA = bar.symbols.length;
    if (bar.open.length !== nA || bar.volume.length !== nA || book.positions.length !== nA) {
      throw new InvalidInputError(`bar and book columns must have ${nA} values (one per symbol)`, {
        field: 'bar',
      });
    }
    const index = new Map(bar.symbols.map((s, a) => [s, a] as const));
    const orders = new Float64Array(nA);
    for (let i = 0; i < ticket.orders.symbol.length; i++) {
      const a = index.get(ticket.orders.symbol[i]!);
      if (a === undefined) {
        throw new InvalidInputError(`ticket ${ticket.ticketId}: unknown symbol ${ticket.orders.symbol[i]}`, {
          field: 'orders.symbol',
        });
      }
      orders[a] = ticket.orders.shares[i]!;
    }
    const positions = Float64Array.from(book.positions);
    const out = allocFillBuffers(nA);
    const summary = simulateFills(
      execution,
      orders,
      { open: bar.open, volume: bar.volume, spreadBps: bar.spreadBps, dailyVol: bar.dailyVol, offset: 0 },
      positions,
      book.cash,
      out,
    );
    const fills: BrokerFill[] = [];
    for (let a = 0; a < nA; a++) {
      const st = out.status[a]!;
      if (st === FillStatus.NO_ORDER) continue;
      fills.push({
        symbol: bar.symbols[a]!,
        status: FILL_STATUS_NAMES[st]!,
        requested: orders[a]!,
        filled: out.filled[a]!,
        price: bar.open[a]!,
        slippageCost: out.slippageCost[a]!,
        spreadCost: out.spreadCost[a]!,
        impactCost: out.impactCost[a]!,
        fee: out.fee[a]!,
      });
    }
    this.#tickets.delete(ticket.ticketId);
    return {
      ticketId: ticket.ticketId,
      executedAtMs: ticket.executeAtMs,
      fills,
      cashAfter: summary.nOrders > 0 ? summary.cashAfter : book.cash,
    };
  }
}

function validateTicket(ticket: OrderTicket): void {
  const { orders } = ticket;
  if (!(ticket.executeAtMs >= ticket.decidedAtHourMs)) {
    throw new InvalidInputError(
      `ticket ${ticket.ticketId}: executeAtMs ${ticket.executeAtMs} must not be before the decision ${ticket.decidedAtHourMs}`,
      { field: 'executeAtMs' },
    );
  }
  if (orders.symbol.length !== orders.shares.length) {
    throw new InvalidInputError(`ticket ${ticket.ticketId}: orders columns of unequal length`, {
      field: 'orders',
    });
  }
  for (let i = 0; i < orders.symbol.length; i++) {
    const q = orders.shares[i]!;
    if (!Number.isFinite(q) || q === 0) {
      throw new InvalidInputError(
        `ticket ${ticket.ticketId}: order ${i} must be a non-zero number of shares`,
        {
          field: 'orders.shares',
        },
      );
    }
    if (i > 0 && !(orders.symbol[i - 1]! < orders.symbol[i]!)) {
      throw new InvalidInputError(`ticket ${ticket.ticketId}: orders must be ascending by symbol`, {
        field: 'orders.symbol',
      });
    }
  }
}
