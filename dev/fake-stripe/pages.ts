// HTML of the fake Stripe's hosted pages: the Checkout page with its "Pay" button and the Connect onboarding page.
import type { CheckoutSession } from "./resources.ts";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px #0002; }
  .amount { font-size: 2rem; font-weight: 700; margin: .25rem 0 1.5rem; }
  label { display: block; font-size: .9rem; margin-bottom: .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; border: 1px solid #c4cdd5; border-radius: 6px; font: inherit; margin-bottom: 1rem; }
  button { width: 100%; padding: .8rem; border: 0; border-radius: 6px; background: #0a2540; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  .note { color: #4f566b; font-size: .85rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function checkoutPage(session: CheckoutSession, productName: string, error?: string): string {
  const amount = money(session.amount_total ?? 0, session.currency ?? "usd");
  if (session.status !== "open") {
    const message = session.status === "complete" ? "This Checkout Session is already paid." : "This Checkout Session has expired.";
    const back = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Go back</a></p>` : "";
    return page("Checkout", `<h1>${escapeHtml(productName)}</h1><p role="status">${message}</p>${back}`);
  }
  const cancel = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel and go back</a></p>` : "";
  return page(
    `Pay ${amount}`,
    `<p class="note">Local test checkout (fake Stripe). No real card is charged.</p>
<h1>${escapeHtml(productName)}</h1>
<p class="amount">${amount}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/checkout/${session.id}/pay">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" value="${escapeHtml(session.customer_email ?? "buyer@example.com")}">
  <label for="card">Card number</label>
  <input id="card" name="card" inputmode="numeric" value="4242 4242 4242 4242">
  <button type="submit">Pay ${amount}</button>
</form>
${cancel}`,
  );
}

export function onboardingPage(linkId: string, email: string | null): string {
  return page(
    "Set up payouts",
    `<p class="note">Local Connect onboarding (fake Stripe).</p>
<h1>Set up payouts</h1>
<p>Account ${escapeHtml(email ?? "for this host")} will be able to receive ticket sales.</p>
<form method="post" action="/connect/onboarding/${linkId}/complete"><button type="submit">Agree and submit</button></form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
