// The SFU stand-in behind a counting proxy, for tests and benchmarks that hand it to the stack as CALLS_API_BASE:
// every Calls API request the Worker makes is counted by kind, so "Calls API calls per join" is measured, not assumed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startSfu } from "./server.ts";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";

export type CountingSfu = {
  /** Give this to the Worker as CALLS_API_BASE (with CALLS_APP_ID = appId). */
  url: string;
  appId: string;
  /** A client straight to the SFU (not counted) for checks such as getSession. */
  calls: CallsClient;
  /** Requests by kind, e.g. "POST sessions/new", "POST tracks/new", "PUT renegotiate". */
  counts(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
};

const kindOf = (method: string, path: string) => {
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  const at = parts.indexOf("sessions");
  const rest = parts.slice(at + 1);
  if (rest[0] === "new") return `${method} sessions/new`;
  return `${method} ${rest.slice(1).join("/") || "session"}`;
};

export async function startCountingSfu(appId: string, appSecret: string): Promise<CountingSfu> {
  const sfu = await startSfu({ appId, appSecret });
  const counts = new Map<string, number>();
  const proxy = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? "/").replace(/^\/v1/, "");
    const kind = kindOf(request.method ?? "GET", path);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const upstream = await fetch(sfu.url + path, {
      method: request.method,
      headers: { authorization: request.headers.authorization ?? "", "content-type": "application/json" },
      body,
    });
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(await upstream.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    appId,
    calls: createCallsClient({ baseUrl: sfu.url, appId, appSecret }),
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await sfu.close();
    },
  };
}
