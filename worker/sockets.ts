// WebSocket sends and closes that never throw (the peer may have gone between listing and sending), shared by the
// room and the media object; a leaf module, so neither reaches into the other for it.

export function trySend(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket closed between listing and sending; its close handler does the bookkeeping.
  }
}

export function tryClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
