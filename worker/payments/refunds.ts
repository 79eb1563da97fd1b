// Refunding every ticket of a cancelled Space: one Stripe refund per ticket under an idempotency key, a
// guarded status update, and a deduplicated notification, so a retried cancel never refunds or notifies twice.
import { db } from "../db/client.ts";
import type { Ticket } from "../db/schema.ts";
import { markRefunded, refundContext, ticketsWithStatus } from "../db/tickets.ts";
import { notifyAndPush } from "../notify/deliver.ts";
import { errorSummary } from "./checkout.ts";
import { stripeClient } from "./stripe-client.ts";

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);

/** The refund request for a ticket; a retry must send the very same parameters with the same key. */
export function refundRequest(ticket: Pick<Ticket, "id" | "spaceId" | "paymentIntentId">, connected: boolean) {
  return {
    params: {
      payment_intent: ticket.paymentIntentId!,
      reason: "requested_by_customer" as const,
      metadata: { ticketId: ticket.id, spaceId: ticket.spaceId },
      // A destination charge moved money to the host; take it back and return the platform fee too.
      ...(connected ? { reverse_transfer: true, refund_application_fee: true } : {}),
    },
    // Same key for the same ticket forever: Stripe answers a retry with the first refund instead of a new one.
    options: { idempotencyKey: `refund-ticket-${ticket.id}` },
  };
}

async function refundOne(env: Env, ticket: Ticket, connected: boolean): Promise<string | null> {
  if (!ticket.paymentIntentId) return null;
  const { params, options } = refundRequest(ticket, connected);
  try {
    return (await stripeClient(env).refunds.create(params, options)).id;
  } catch (error) {
    // Refunded earlier under a key Stripe no longer remembers (keys last 24 h): the money is back already.
    if ((error as { code?: string }).code === "charge_already_refunded") return null;
    throw error;
  }
}

/** Refunds all paid tickets of a Space and notifies each holder; returns how many tickets this call refunded. */
export async function refundAllTickets(env: Env, spaceId: string): Promise<{ refunded: number }> {
  const space = await refundContext(db(env), spaceId);
  if (!space) return { refunded: 0 };
  const tickets = await ticketsWithStatus(db(env), spaceId, "paid");
  let refunded = 0;
  const failures: string[] = [];
  for (const ticket of tickets) {
    try {
      const refundId = await refundOne(env, ticket, space.hostConnected);
      if (await markRefunded(db(env), ticket.id, refundId)) refunded += 1;
    } catch (error) {
      failures.push(ticket.id);
      console.log(JSON.stringify({ event: "ticket_refund_failed", spaceId, ticketId: ticket.id, error: errorSummary(error) }));
    }
  }
  // Notify every refunded holder, including ones a failed earlier attempt refunded; dedupe keys keep it to once each.
  const done = await ticketsWithStatus(db(env), spaceId, "refunded");
  await notifyAndPush(
    env,
    done.map((ticket) => ({
      userId: ticket.userId,
      kind: "ticket_refunded" as const,
      spaceId,
      text: `"${space.title}" was cancelled. Your ticket (${money(ticket.amountCents, space.currency ?? "usd")}) has been refunded.`,
      dedupeKey: `ticket_refunded:${ticket.id}`,
    })),
  );
  console.log(JSON.stringify({ event: "tickets_refunded", spaceId, refunded, failed: failures.length }));
  // The caller retries the whole call; tickets already refunded are skipped by their status and idempotency key.
  if (failures.length > 0) throw new Error(`${failures.length} of ${tickets.length} ticket refunds failed for Space ${spaceId}`);
  return { refunded };
}
