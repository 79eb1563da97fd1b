// The entry gate of a ticketed Space: holders and the host get a join token, everyone else 402 ticket_required.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { roomFor } from "../../worker/space/space-room.ts";
import { connect } from "./room-helpers.ts";
import { buyers, deliver, eventFor, pay, ticketedSpace, type Buyer } from "./ticket-helpers.ts";

/** Waits until the room reports the role (frames about it are the room's business; its RPC is the truth). */
const roleIs = (spaceId: string, userId: string, role: string) =>
  vi.waitFor(async () => expect(await roomFor(env, spaceId).getRoleOf(userId)).toBe(role), { timeout: 2000 });

async function buyTicket(buyer: Buyer, spaceId: string): Promise<void> {
  const url = (await buyer.call("POST", `/api/spaces/${spaceId}/checkout`)).json.url as string;
  await deliver(eventFor("checkout.session.completed", await pay(url)));
}

describe("ticketed entry", () => {
  it("lets the host and ticket holders join and stops others with ticket_required", async () => {
    const { host, space } = await ticketedSpace(3);
    const [holder, stranger] = await buyers(2);
    await buyTicket(holder!, space.id);
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

  it("keeps letting in people the room has on stage, and only while they are there", async () => {
    const { host, space } = await ticketedSpace(3);
    const [speaker] = await buyers(1);
    await buyTicket(speaker!, space.id);
    await host.call("POST", `/api/spaces/${space.id}/start`);
    const hostSocket = await connect(host, space.id);
    await connect(speaker!, space.id);
    hostSocket.send({ type: "set_role", userId: speaker!.id, role: "cohost" });
    await roleIs(space.id, speaker!.id, "cohost");
    // Without a paid ticket any more, the co-host still gets back in (say, after a dropped connection) …
    await env.DB.prepare("UPDATE tickets SET status = 'refunded' WHERE space_id = ?").bind(space.id).run();
    expect((await speaker!.call("POST", `/api/spaces/${space.id}/join`)).status).toBe(200);
    // … but not once the host has moved them back to the audience.
    hostSocket.send({ type: "set_role", userId: speaker!.id, role: "listener" });
    await roleIs(space.id, speaker!.id, "listener");
    expect((await speaker!.call("POST", `/api/spaces/${space.id}/join`)).json.error?.code).toBe("ticket_required");
  });
});
