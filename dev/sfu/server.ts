// HTTP front of the local Calls-compatible SFU stand-in: loopback only, bearer-secret checked,
// every failure answered as Calls-style `{ errorCode, errorDescription }` JSON.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AdapterRegistry, handleAdapterApi } from "./adapter-api.ts";
import { handleCallsApi, SessionRegistry, type ApiReply } from "./calls-api.ts";
import { CallsApiError } from "./sfu-session.ts";

export type SfuOptions = {
  port?: number;
  appId: string;
  appSecret: string;
  log?: boolean;
  /** Adapter lifecycle events (connected, first packet, dropped, gave up, closed) with `at` in epoch ms. */
  onAdapterEvent?: (event: string, fields: Record<string, unknown>) => void;
};
export type RunningSfu = {
  url: string;
  port: number;
  /** The adapters still streaming, for tests and measurements. */
  openAdapters(): { adapterId: string; sessionId: string; trackName: string; endpoint: string; packetsSent: number }[];
  close(): Promise<void>;
};

const MAX_BODY_BYTES = 1_000_000;

export async function startSfu(options: SfuOptions): Promise<RunningSfu> {
  const registry = new SessionRegistry();
  const adapters = new AdapterRegistry();
  const logAdapter = (event: string, fields: Record<string, unknown>) => {
    const at = Date.now();
    if (options.log) console.log(JSON.stringify({ event, at, ...fields }));
    options.onAdapterEvent?.(event, { at, ...fields });
  };
  const appPrefix = `/v1/apps/${encodeURIComponent(options.appId)}/`;

  const server = createServer((request, response) => {
    const started = Date.now();
    handle(request)
      .catch(toErrorReply)
      .then((reply) => {
        send(response, reply);
        if (options.log) {
          const path = (request.url ?? "").split("?")[0];
          console.log(JSON.stringify({ event: "sfu_request", method: request.method, path, status: reply.status, ms: Date.now() - started }));
        }
      });
  });

  async function handle(request: IncomingMessage): Promise<ApiReply> {
    const path = new URL(request.url ?? "/", "http://sfu.local").pathname;
    if (!path.startsWith(appPrefix)) {
      return { status: 404, body: { errorCode: "app_not_found", errorDescription: "unknown app id or path" } };
    }
    if (request.headers.authorization !== `Bearer ${options.appSecret}`) {
      return { status: 401, body: { errorCode: "unauthorized", errorDescription: "missing or wrong bearer app secret" } };
    }
    const apiPath = path.slice(appPrefix.length - 1);
    const adapterAction = /^\/adapters\/websocket\/([a-z]+)$/.exec(apiPath)?.[1];
    if (adapterAction !== undefined && request.method === "POST") {
      // The adapter endpoints answer an unparsable body with the schema's 400 `decoding_error`.
      const body = await readJsonBody(request).catch(() => Symbol("unparsable"));
      if (typeof body === "symbol") return { status: 400, body: { errorCode: "decoding_error", errorDescription: "The request could not be decoded." } };
      return handleAdapterApi(adapters, registry, adapterAction, body, logAdapter);
    }
    const body = await readJsonBody(request);
    return handleCallsApi(registry, request.method ?? "GET", apiPath, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    openAdapters: () =>
      adapters.open().map((adapter) => ({
        adapterId: adapter.id,
        sessionId: adapter.source.sessionId,
        trackName: adapter.source.trackName,
        endpoint: adapter.endpoint,
        packetsSent: adapter.packetsSent,
      })),
    async close() {
      adapters.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await registry.destroyAll();
    },
  };
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new CallsApiError(413, "invalid_request", "request body too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new CallsApiError(400, "invalid_json", "the request body is not valid JSON");
  }
}

function toErrorReply(error: unknown): ApiReply {
  if (error instanceof CallsApiError) {
    return { status: error.status, body: { errorCode: error.errorCode, errorDescription: error.message } };
  }
  console.log(JSON.stringify({ event: "sfu_internal_error", error: String(error) }));
  return { status: 500, body: { errorCode: "internal_error", errorDescription: "the stand-in SFU failed on this request" } };
}

function send(response: ServerResponse, reply: ApiReply): void {
  if (response.headersSent) return;
  response.writeHead(reply.status, { "content-type": "application/json" });
  response.end(JSON.stringify(reply.body));
}
