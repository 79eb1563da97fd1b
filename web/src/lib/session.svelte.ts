// Who is signed in: one shared rune store, loaded once at start and updated by login, signup and logout.
import type { Me } from "#protocol/api.ts";
import { api } from "./api.ts";

class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Bumped by login, signup and logout: a refresh that started before one of them must not undo it. */
  #changes = 0;

  async refresh(): Promise<void> {
    const changes = this.#changes;
    try {
      // Not /me: that answers 401 when signed out, which browsers log as an error on every signed-out page.
      const me = (await api.get<{ user: Me | null }>("/auth/session")).user;
      // The start-up refresh can answer after a quick login on a slow machine; its "signed out" is stale then.
      if (changes === this.#changes) this.me = me;
      this.error = null;
    } catch {
      if (changes === this.#changes) {
        this.me = null;
        this.error = "Could not load your account.";
      }
    } finally {
      this.loaded = true;
    }
  }

  async login(handle: string, password: string): Promise<void> {
    const me = (await api.post<{ user: Me }>("/auth/login", { handle, password })).user;
    this.#changes++;
    this.me = me;
  }

  async signup(handle: string, password: string, displayName?: string): Promise<void> {
    const me = (await api.post<{ user: Me }>("/auth/signup", { handle, password, displayName })).user;
    this.#changes++;
    this.me = me;
  }

  async logout(): Promise<void> {
    await api.post("/auth/logout");
    this.#changes++;
    this.me = null;
  }
}

export const session = new Session();
