// The media object's adapter watchdog at work (its rules are in adapter-watchdog.ts): notes when a track's SFU socket
// drops, and from the alarm replaces an adapter the SFU gave up on (down past its 5 s redial window) with a new one
// for the same track under a new key, retrying a refusal with back-off until it marks the adapter failed.
import { log, claimsOf } from "./adapter-sockets.ts";
import { adapterEndpointOrigin } from "./availability.ts";
import { afterAttempt, freshHealth, stateOf, watchStep, type AdapterHealth, type AdapterState } from "./adapter-watchdog.ts";
import type { AdapterRow, MediaStorage } from "./media-storage.ts";
import { releaseAdapter, requestAdapter } from "./sfu-adapters.ts";
import { reportAdapterFailed } from "./caption-relay.ts";

type Host = {
  env: Env;
  store: MediaStorage;
  /** The hibernatable sockets tagged with this speaker's id. */
  sockets(userId: string): WebSocket[];
  /** Ends the speaker's pipeline (flushes the recogniser's last words and the recorder's track). */
  endTrack(userId: string): void;
};

export class AdapterWatch {
  private readonly host: Host;

  constructor(host: Host) {
    this.host = host;
  }

  stateOf(row: AdapterRow): AdapterState {
    return stateOf(this.host.store.health(row.userId, row.adapterKey), row.adapterId);
  }

  /** The SFU's socket for this opening connected: watched from now on; a replacement that connects ends its retries. */
  connected(userId: string, adapterKey: string): void {
    this.host.store.saveHealth({ ...freshHealth(userId, adapterKey), connectedOnce: true });
  }

  /** A socket closed: if it was the track's last and its adapter stands, the SFU's redial window starts now. */
  dropped(ws: WebSocket): void {
    const claims = claimsOf(ws);
    if (!claims) return;
    const { store } = this.host;
    const row = store.adapter(claims.userId);
    const health = row?.adapterKey === claims.adapterKey ? store.health(claims.userId, claims.adapterKey) : null;
    if (!health || health.droppedAt !== null || this.openSockets(claims.userId, ws) > 0) return;
    store.saveHealth({ ...health, droppedAt: Date.now() });
  }

  /** One check of every adapter: a drop seen only now (after a reset) is noted; one down too long is replaced. */
  async check(now: number): Promise<void> {
    for (const row of this.host.store.adapters()) {
      const health = this.host.store.health(row.userId, row.adapterKey);
      const step = watchStep(health, row.adapterId, this.openSockets(row.userId) > 0, now);
      if (step.kind === "mark_dropped" && health) this.host.store.saveHealth({ ...health, droppedAt: step.droppedAt });
      else if (step.kind === "reopen") await this.reopen(row, health, step.droppedForMs);
    }
  }

  /** The next deadline: a retry, the end of a redial window, or the periodic check while adapters stand; else null. */
  deadline(now: number): number | null {
    let next: number | null = null;
    for (const row of this.host.store.adapters()) {
      const step = watchStep(this.host.store.health(row.userId, row.adapterKey), row.adapterId, this.openSockets(row.userId) > 0, now);
      const at = step.kind === "reopen" ? now : step.checkAt;
      if (at !== null) next = Math.min(next ?? Infinity, at);
    }
    return next;
  }

  private openSockets(userId: string, except?: WebSocket): number {
    return this.host.sockets(userId).filter((ws) => ws !== except && ws.readyState === WebSocket.OPEN).length;
  }

  /** Closes the lost adapter at the SFU (already gone = closed) and asks for a new one for the same track. */
  private async reopen(row: AdapterRow, health: AdapterHealth | null, droppedForMs: number | null): Promise<void> {
    const { env, store } = this.host;
    const spaceId = store.meta("spaceId");
    const origin = adapterEndpointOrigin(env);
    const attempt = (health?.attempts ?? 0) + 1;
    // Never expected (a row implies both), but a due step that does nothing would wake the alarm at once, again and again.
    if (!spaceId || !origin) return store.saveHealth({ ...freshHealth(row.userId, row.adapterKey), attempts: attempt, failed: true });
    log("media_adapter_reopening", { spaceId, userId: row.userId, adapterId: row.adapterId, droppedForMs, attempt });
    // The recogniser's last words are flushed; the next stream starts after them on the Space's timeline.
    this.host.endTrack(row.userId);
    if (row.adapterId) await releaseAdapter(env, row.userId, row.adapterId);
    // Closed by the room (demote, leave) while the SFU was being told: nothing to reopen.
    if (store.adapter(row.userId)?.adapterKey !== row.adapterKey) return;
    // A new key: the old token (which the SFU may still redial late) matches nothing from now on.
    const next: AdapterRow = { ...row, adapterKey: crypto.randomUUID(), adapterId: null, openedAt: Date.now() };
    store.saveAdapter(next);
    store.saveHealth({ ...freshHealth(row.userId, next.adapterKey), attempts: attempt });
    const opened = await requestAdapter(env, origin, { spaceId, userId: row.userId, handle: row.handle, track: row.track, adapterKey: next.adapterKey });
    if (store.adapter(row.userId)?.adapterKey !== next.adapterKey) {
      if (opened.ok) await releaseAdapter(env, row.userId, opened.adapterId);
      return;
    }
    if (opened.ok) store.saveAdapter({ ...next, adapterId: opened.adapterId });
    // The SFU dials before it answers: a connection recorded meanwhile is kept as is.
    const current = store.health(row.userId, next.adapterKey);
    const after = opened.ok && current?.connectedOnce ? current : afterAttempt(row.userId, next.adapterKey, attempt, opened.ok, Date.now());
    store.saveHealth(after);
    const fields = { spaceId, userId: row.userId, attempt, trackName: row.track.trackName };
    if (opened.ok) log("media_adapter_reopened", { ...fields, adapterId: opened.adapterId });
    else if (after.failed) {
      log("media_adapter_unavailable", { ...fields, code: opened.code });
      await reportAdapterFailed(env, spaceId, row.userId, row.track);
    }
    else log("media_adapter_reopen_failed", { ...fields, code: opened.code, retryInMs: (after.retryAt ?? 0) - Date.now() });
  }
}
