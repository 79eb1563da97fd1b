// The entry gate of a ticketed Space: holders and the host get a join token, everyone else 402 ticket_required.
import { describe, expect, it } from "vitest";
import { buyers, deliver, eventFor, pay, ticketedSpace } from "./ticket-helpers.ts";

describe("ticketed entry", () => {
  it("lets the host and ticket holders join and stops others with ticket_required", async () => {
    const { host, space } = await ticketedSpace(3);
    const [holder, stranger] = await buyers(2);
    const url = (await holder!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    await deliver(eventFor("checkout.session.completed", await pay(url)));
    expect((await host.call("POST", `/api/spaces/${space.id}/start`)).status).toBe(200);

    const refused = await stranger!.call("POST", `/api/spaces/${space.id}/join`);
    expect(refused.status).toBe(402);
    expect(refused.json.error).toEqual({ code: "ticket_required", message: "This Space needs a ticket. Buy one to join." });
    expect((await stranger!.call("POST", `/api/spaces/${space.id}/checkout`)).json.error.code).toBe("sales_closed");

    const admitted = await holder!.call("POST", `/api/spaces/${space.id}/join`);
    expect(admitted.status).toBe(200);
    expect(admitted.json.token).toEqual(expect.any(String));
    expect((await host.call("POST", `/api/spaces/${space.id}/join`)).status).toBe(200);
  });
});
