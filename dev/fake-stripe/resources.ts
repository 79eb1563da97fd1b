// The fake Stripe's payments in Stripe's real shapes: Checkout Sessions, the PaymentIntents behind them and
// Refunds, plus the Connect accounts (accounts.ts) they may pay out to. Every operation is synchronous.
import type Stripe from "stripe";
import { FakeAccounts } from "./accounts.ts";
import { field, list, stringMap, type FormObject } from "./form.ts";
import { invalid, missing, nowSeconds, stripeId } from "./stripe-errors.ts";

/** Stripe's own declaration, so the compiler holds every session the fake makes to the real shape. */
export type CheckoutSession = Stripe.Checkout.Session;

/** What a hosted, card-only payment session carries in the fields this fake has no behaviour for. */
const SESSION_DEFAULTS = {
  adaptive_pricing: null,
  after_expiration: null,
  allow_promotion_codes: null,
  allowed_payment_method_types: null,
  automatic_tax: { enabled: false, liability: null, provider: null, status: null },
  billing_address_collection: null,
  client_secret: null,
  collected_information: null,
  consent: null,
  consent_collection: null,
  currency_conversion: null,
  custom_fields: [],
  custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
  customer: null,
  customer_account: null,
  customer_creation: "if_required",
  discounts: [],
  integration_identifier: null,
  invoice: null,
  invoice_creation: { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } },
  locale: null,
  managed_payments: null,
  origin_context: null,
  payment_link: null,
  payment_method_collection: "if_required",
  payment_method_configuration_details: null,
  payment_method_options: {},
  payment_method_types: ["card"],
  permissions: null,
  recovered_from: null,
  saved_payment_method_options: null,
  setup_intent: null,
  shipping_address_collection: null,
  shipping_cost: null,
  shipping_options: [],
  submit_type: null,
  subscription: null,
  total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
  wallet_options: null,
} satisfies Partial<Stripe.Checkout.Session>;

type PaymentIntent = {
  id: string;
  amount: number;
  currency: string;
  latest_charge: string;
  application_fee_amount: number | null;
  destination: string | null;
  amount_refunded: number;
};

export class FakeStripeState {
  readonly sessions = new Map<string, CheckoutSession>();
  readonly lineItemNames = new Map<string, string>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly sessionPaymentData = new Map<string, { fee: number | null; destination: string | null }>();
  readonly refunds = new Map<string, Record<string, unknown>>();
  readonly connect: FakeAccounts;
  readonly baseUrl: () => string;

  constructor(baseUrl: () => string) {
    this.baseUrl = baseUrl;
    this.connect = new FakeAccounts(baseUrl);
  }

  createCheckoutSession(params: FormObject): CheckoutSession {
    if (field(params, "mode") !== "payment") throw invalid("Only mode=payment is supported by the local fake.", "mode");
    const successUrl = field(params, "success_url");
    if (!successUrl) throw invalid("Missing required param: success_url.", "success_url", "parameter_missing");
    const items = list(params.line_items);
    if (items.length === 0) throw invalid("Missing required param: line_items.", "line_items", "parameter_missing");
    let total = 0;
    let currency = "";
    const names: string[] = [];
    items.forEach((item, i) => {
      const amount = Number(field(item, "price_data", "unit_amount"));
      const quantity = Number(field(item, "quantity") ?? "1");
      const itemCurrency = field(item, "price_data", "currency");
      if (!Number.isInteger(amount) || amount < 50) {
        throw invalid("unit_amount must be an integer of at least 50.", `line_items[${i}][price_data][unit_amount]`);
      }
      if (!itemCurrency) throw invalid("Missing required param: currency.", `line_items[${i}][price_data][currency]`, "parameter_missing");
      total += amount * quantity;
      currency = itemCurrency;
      names.push(field(item, "price_data", "product_data", "name") ?? "Item");
    });
    const created = nowSeconds();
    const expiresAt = field(params, "expires_at") ? Number(field(params, "expires_at")) : created + 24 * 3600;
    if (!Number.isInteger(expiresAt) || expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600) {
      throw invalid("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", "expires_at");
    }
    const fee = field(params, "payment_intent_data", "application_fee_amount");
    const destination = field(params, "payment_intent_data", "transfer_data", "destination") ?? null;
    if (destination && !this.connect.accounts.has(destination)) {
      throw invalid(`No such destination: '${destination}'`, "payment_intent_data[transfer_data][destination]", "resource_missing");
    }
    if (fee !== undefined && (!/^\d+$/.test(fee) || Number(fee) > total)) {
      throw invalid("application_fee_amount must be a whole number no larger than the amount.", "payment_intent_data[application_fee_amount]");
    }
    const id = stripeId("cs_test_");
    const session: CheckoutSession = {
      ...structuredClone(SESSION_DEFAULTS),
      id,
      object: "checkout.session",
      amount_subtotal: total,
      amount_total: total,
      cancel_url: field(params, "cancel_url") ?? null,
      client_reference_id: field(params, "client_reference_id") ?? null,
      created,
      currency,
      customer_email: field(params, "customer_email") ?? null,
      customer_details: null,
      expires_at: expiresAt,
      livemode: false,
      metadata: stringMap(params.metadata),
      mode: "payment",
      payment_intent: null,
      payment_status: "unpaid",
      status: "open",
      success_url: successUrl,
      ui_mode: "hosted",
      url: `${this.baseUrl()}/checkout/${id}`,
    };
    this.sessions.set(id, session);
    this.lineItemNames.set(id, names.join(", "));
    this.sessionPaymentData.set(id, { fee: fee === undefined ? null : Number(fee), destination });
    return session;
  }

  session(id: string): CheckoutSession {
    const session = this.sessions.get(id);
    if (!session) throw missing("checkout.session", id);
    return session;
  }

  expireSession(id: string): CheckoutSession {
    const session = this.session(id);
    if (session.status !== "open") {
      throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, undefined, "checkout_session_not_open");
    }
    session.status = "expired";
    session.url = null;
    return session;
  }

  /** What the hosted page's Pay button does: a successful card payment. */
  completeSession(id: string, email: string | null): CheckoutSession {
    const session = this.session(id);
    if (session.status !== "open") throw invalid(`This Checkout Session is ${session.status}.`, undefined, "checkout_session_not_open");
    if (session.expires_at <= nowSeconds()) throw invalid("This Checkout Session has expired.", undefined, "checkout_session_expired");
    const payment = this.sessionPaymentData.get(id) ?? { fee: null, destination: null };
    const intent: PaymentIntent = {
      id: stripeId("pi_"),
      // This fake always sets both when it creates a session; Stripe's type allows null for other modes.
      amount: session.amount_total ?? 0,
      currency: session.currency ?? "usd",
      latest_charge: stripeId("ch_"),
      application_fee_amount: payment.fee,
      destination: payment.destination,
      amount_refunded: 0,
    };
    this.paymentIntents.set(intent.id, intent);
    Object.assign(session, {
      status: "complete",
      payment_status: "paid",
      payment_intent: intent.id,
      url: null,
      customer_details: {
        address: null,
        business_name: null,
        email: email || session.customer_email || "buyer@example.com",
        individual_name: null,
        name: null,
        phone: null,
        tax_exempt: "none",
        tax_ids: [],
      },
    } satisfies Partial<CheckoutSession>);
    return session;
  }

  createRefund(params: FormObject): Record<string, unknown> {
    const intentId = field(params, "payment_intent");
    const chargeId = field(params, "charge");
    if (!intentId && !chargeId) {
      throw invalid("One of the following params should be provided for this request: payment_intent or charge.", "payment_intent", "parameter_missing");
    }
    const intent = intentId
      ? this.paymentIntents.get(intentId)
      : [...this.paymentIntents.values()].find((pi) => pi.latest_charge === chargeId);
    if (!intent) throw missing(intentId ? "payment_intent" : "charge", (intentId ?? chargeId)!);
    const remaining = intent.amount - intent.amount_refunded;
    if (remaining === 0) {
      throw invalid(`Charge ${intent.latest_charge} has already been refunded.`, undefined, "charge_already_refunded");
    }
    const amount = field(params, "amount") ? Number(field(params, "amount")) : remaining;
    if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
      throw invalid(`Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(remaining / 100).toFixed(2)})`, "amount", "amount_too_large");
    }
    intent.amount_refunded += amount;
    const refund = {
      id: stripeId("re_"),
      object: "refund",
      amount,
      balance_transaction: null,
      charge: intent.latest_charge,
      created: nowSeconds(),
      currency: intent.currency,
      metadata: stringMap(params.metadata),
      payment_intent: intent.id,
      customer: null,
      customer_account: null,
      payment_method: null,
      reason: (field(params, "reason") as Stripe.Refund.Reason | undefined) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: "succeeded",
      transfer_reversal: null,
    } satisfies Stripe.Refund;
    this.refunds.set(refund.id, refund);
    return refund;
  }

  refund(id: string): Record<string, unknown> {
    const refund = this.refunds.get(id);
    if (!refund) throw missing("refund", id);
    return refund;
  }

  /** Open sessions past their expires_at, as Stripe expires them on its own. */
  dueExpiries(): string[] {
    const now = nowSeconds();
    return [...this.sessions.values()].filter((s) => s.status === "open" && s.expires_at <= now).map((s) => s.id);
  }
}
