// A local stand-in for a browser push service (FCM, Mozilla autopush…) for worker tests. It speaks plain HTTP;
// push endpoints must be https, so tests use PUSH_SERVICE_ORIGIN and push-proxy.ts carries those requests here.
import { createServer } from "node:http";

/** The https origin subscriptions in tests point at; never resolved in DNS (push-proxy.ts routes it). */
export const PUSH_SERVICE_ORIGIN = "https://push.spaces.test";

/** One push as the service received it; `body` is base64 (the aes128gcm ciphertext). */
export type ReceivedPush = { headers: Record<string, string>; body: string };

export type PushService = { url: string; close: () => Promise<void> };

/** Subscription ids starting with these answer as a real push service does for dead or broken subscriptions. */
const STATUS_BY_PREFIX: [string, number][] = [
  ["gone-", 410],
  ["missing-", 404],
  ["broken-", 500],
];

/**
 * `POST /push/:id` records the push and answers 201 (or the status its id prefix asks for);
 * `GET /received/:id` lists what arrived for that subscription id, oldest first.
 */
export async function startPushService(): Promise<PushService> {
  const received = new Map<string, ReceivedPush[]>();
  const server = createServer((req, res) => {
    const [, route, id] = (req.url ?? "/").split("/");
    if (req.method === "POST" && route === "push" && id) {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        received.set(id, [...(received.get(id) ?? []), { headers, body: Buffer.concat(chunks).toString("base64") }]);
        const status = STATUS_BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1] ?? 201;
        res.writeHead(status, { Location: `/message/${id}/${received.get(id)!.length}` }).end();
      });
      return;
    }
    if (req.method === "GET" && route === "received" && id) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received.get(id) ?? []));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
