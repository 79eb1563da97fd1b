// Talks to the Worker isolate through wrangler dev's inspector (Chrome DevTools Protocol): one session helper, and
// the V8 heap after a forced GC, which the bench uses to split a socket's memory into the isolate's part and the rest.
import WebSocket from "ws";

export type InspectorSession = {
  call: (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;
  close: () => void;
};

/** Opens a DevTools session on the isolate behind `inspectorPort`; each call times out after `timeoutMs`. */
export async function openInspector(inspectorPort: number, timeoutMs = 10_000): Promise<InspectorSession> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(3000) })).json()) as {
    webSocketDebuggerUrl?: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectorPort}`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const mine = ++id;
      const timer = setTimeout(() => reject(new Error(`${method} timed out`)), timeoutMs);
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== mine) return;
        clearTimeout(timer);
        ws.off("message", onMessage);
        if (message.error) reject(new Error(message.error.message));
        else resolve(message.result ?? {});
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  return { call, close: () => ws.close() };
}

/** Used JS heap bytes after a full GC, or null when the inspector does not answer. */
export async function isolateHeapBytes(inspectorPort: number): Promise<number | null> {
  try {
    const session = await openInspector(inspectorPort);
    try {
      await session.call("HeapProfiler.collectGarbage");
      const usage = await session.call("Runtime.getHeapUsage");
      return typeof usage.usedSize === "number" ? usage.usedSize : null;
    } finally {
      session.close();
    }
  } catch {
    return null;
  }
}
