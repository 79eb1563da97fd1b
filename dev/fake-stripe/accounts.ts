// The fake Stripe's Connect side: Express accounts, onboarding account links, and finishing onboarding.
import type Stripe from "stripe";
import { field, stringMap, type FormObject } from "./form.ts";
import { invalid, missing, nowSeconds, stripeId } from "./stripe-errors.ts";

/** A subset of Stripe's Account; `satisfies` below holds it to Stripe's own declaration. */
export type Account = {
  id: string;
  object: "account";
  type: Stripe.Account.Type;
  country: string;
  email: string | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  metadata: Record<string, string>;
  created: number;
};

type AccountLink = { id: string; account: string; return_url: string; refresh_url: string; expires_at: number };

export class FakeAccounts {
  readonly accounts = new Map<string, Account>();
  readonly accountLinks = new Map<string, AccountLink>();
  readonly baseUrl: () => string;

  constructor(baseUrl: () => string) {
    this.baseUrl = baseUrl;
  }

  createAccount(params: FormObject): Account {
    const account: Account = {
      id: stripeId("acct_1"),
      object: "account",
      type: (field(params, "type") as Stripe.Account.Type | undefined) ?? "express",
      country: field(params, "country") ?? "US",
      email: field(params, "email") ?? null,
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      metadata: stringMap(params.metadata),
      created: nowSeconds(),
    } satisfies Partial<Stripe.Account>;
    this.accounts.set(account.id, account);
    return account;
  }

  account(id: string): Account {
    const account = this.accounts.get(id);
    if (!account) throw missing("account", id);
    return account;
  }

  createAccountLink(params: FormObject): Record<string, unknown> {
    const accountId = field(params, "account");
    if (!accountId) throw invalid("Missing required param: account.", "account", "parameter_missing");
    this.account(accountId);
    const type = field(params, "type");
    if (type !== "account_onboarding" && type !== "account_update") {
      throw invalid("Invalid type: must be one of account_onboarding or account_update", "type");
    }
    const link: AccountLink = {
      id: stripeId("acctlink_"),
      account: accountId,
      return_url: field(params, "return_url") ?? this.baseUrl(),
      refresh_url: field(params, "refresh_url") ?? this.baseUrl(),
      expires_at: nowSeconds() + 300,
    };
    this.accountLinks.set(link.id, link);
    return {
      object: "account_link",
      created: nowSeconds(),
      expires_at: link.expires_at,
      url: `${this.baseUrl()}/connect/onboarding/${link.id}`,
    } satisfies Stripe.AccountLink;
  }

  /** What finishing the hosted onboarding form does. */
  completeOnboarding(linkId: string): { account: Account; returnUrl: string } {
    const link = this.accountLinks.get(linkId);
    if (!link) throw missing("account link", linkId);
    const account = this.account(link.account);
    Object.assign(account, { charges_enabled: true, payouts_enabled: true, details_submitted: true });
    return { account, returnUrl: link.return_url };
  }
}
