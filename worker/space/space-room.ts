// The SpaceRoom Durable Object: one per Space. The room issue fills this in (sockets, storage, alarms).
import { DurableObject } from "cloudflare:workers";

export class SpaceRoom extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return Response.json({ error: { code: "not_found", message: "This room is not open." } }, { status: 404 });
  }
}
