// Follows one Space's state over its watch socket (GET /api/spaces/:id/watch): calls `onChange` when the Space
// changes and after every reconnect (a change may have happened while the socket was down). Returns a stop function.
import type { WatchMessage } from "#protocol/watch.ts";

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];
const PING_MS = 30_000;

export function watchSpace(spaceId: string, onChange: (message: WatchMessage | null) => void): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let attempts = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let ping: ReturnType<typeof setInterval> | null = null;

  const open = () => {
    const url = new URL(`/api/spaces/${encodeURIComponent(spaceId)}/watch`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      if (attempts > 0) onChange(null);
      attempts = 0;
      ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS);
    };
    ws.onmessage = (event) => {
      try {
        const message = JSON.parse(String(event.data)) as WatchMessage | { type: "pong" };
        if (message.type === "changed") onChange(message);
      } catch {
        // Not a frame this page knows; the next change or reconnect brings the page up to date anyway.
      }
    };
    ws.onclose = () => {
      if (ping !== null) clearInterval(ping);
      ping = null;
      if (stopped || socket !== ws) return;
      retry = setTimeout(open, RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)]);
      attempts += 1;
    };
  };
  open();
  return () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    if (ping !== null) clearInterval(ping);
    socket?.close(1000, "page left");
    socket = null;
  };
}
