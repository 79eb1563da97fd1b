// Data and rules behind the embed pages: a poller that follows a host's or a Space's state while the embed is visible,
// and who may listen in the player (signed in, or as a guest where the Space needs no ticket).
import type { Me, SpaceView } from "#protocol/api.ts";
import type { HostLiveResponse } from "#protocol/embed.ts";
import { api, errorMessage } from "./api.ts";

export const getHostLive = (handle: string) => api.get<HostLiveResponse>(`/users/${encodeURIComponent(handle)}/live`);

/** How often an embed re-checks a live state; a page that embeds a badge should not hammer the API. */
export const EMBED_POLL_MS = 15_000;

/** Fetches now and again every `intervalMs` while the page is visible (and at once when it becomes visible again). */
export class Polled<T> {
  data = $state<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(true);
  private readonly fetcher: () => Promise<T>;
  private readonly intervalMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly onVisibility = () => {
    if (document.visibilityState === "visible") void this.refresh();
  };

  constructor(fetcher: () => Promise<T>, intervalMs = EMBED_POLL_MS) {
    this.fetcher = fetcher;
    this.intervalMs = intervalMs;
  }

  start(): () => void {
    document.addEventListener("visibilitychange", this.onVisibility);
    void this.refresh();
    return () => this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  async refresh(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    try {
      this.data = await this.fetcher();
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
    }
    if (!this.stopped && document.visibilityState === "visible") this.timer = setTimeout(() => void this.refresh(), this.intervalMs);
  }
}

/**
 * What the embedded player offers a viewer: listening, a sign-in link, or nothing yet. Without an account a viewer may
 * listen as a guest where the Space says guests may (`guestListening`: the setting is on and no ticket is needed).
 */
export type ListenAccess = "listen" | "sign_in" | "not_live";

export function listenAccess(space: SpaceView, me: Me | null): ListenAccess {
  if (space.state !== "live") return "not_live";
  return me || space.guestListening === true ? "listen" : "sign_in";
}
