// Reads the Worker isolate's V8 heap through wrangler dev's inspector (Chrome DevTools Protocol): after a forced GC,
// the bytes the JS heap holds. The bench uses it to split a socket's memory into the isolate's part and the rest.
import WebSocket from "ws";

/** Used JS heap bytes after a full GC, or null when the inspector does not answer. */
export async function isolateHeapBytes(inspectorPort: number): Promise<number | null> {
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(3000) })).json()) as {
      webSocketDebuggerUrl?: string;
    }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) return null;
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    let id = 0;
    const call = (method: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const mine = ++id;
        const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 10_000);
        const onMessage = (data: WebSocket.RawData) => {
          const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
          if (message.id !== mine) return;
          clearTimeout(timer);
          ws.off("message", onMessage);
          if (message.error) reject(new Error(message.error.message));
          else resolve(message.result ?? {});
        };
        ws.on("message", onMessage);
        ws.send(JSON.stringify({ id: mine, method }));
      });
    try {
      await call("HeapProfiler.collectGarbage");
      const usage = await call("Runtime.getHeapUsage");
      return typeof usage.usedSize === "number" ? usage.usedSize : null;
    } finally {
      ws.close();
    }
  } catch {
    return null;
  }
}
