// A shard's frames for its own sockets, in order: each goes out slice by slice, a turn of the event loop between
// slices so a join or a frame never waits behind thousands of sends, and the next frame only after the last slice.
import { trySend } from "../sockets.ts";
import { BROADCAST_SLICE } from "./room-fanout.ts";

export class ShardOutbox {
  private readonly queue: string[] = [];
  private sending = false;
  private readonly sockets: () => WebSocket[];

  /** `sockets` gives the open sockets when a frame starts going out. */
  constructor(sockets: () => WebSocket[]) {
    this.sockets = sockets;
  }

  push(text: string): void {
    this.queue.push(text);
    if (!this.sending) this.sendNext();
  }

  /** Drops what waits (the Space ended). */
  clear(): void {
    this.queue.length = 0;
  }

  private sendNext(): void {
    const text = this.queue.shift();
    if (text === undefined) return void (this.sending = false);
    this.sending = true;
    const sockets = this.sockets();
    const sendFrom = (start: number) => {
      const end = Math.min(sockets.length, start + BROADCAST_SLICE);
      for (let i = start; i < end; i++) trySend(sockets[i]!, text);
      if (end < sockets.length) setTimeout(() => sendFrom(end), 0);
      else this.sendNext();
    };
    sendFrom(0);
  }
}
