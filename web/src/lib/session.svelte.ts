// Who is signed in: one shared rune store, loaded once at start and updated by login, signup and logout.
import type { Me } from "#protocol/api.ts";
import { api } from "./api.ts";

class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

  async refresh(): Promise<void> {
    try {
      // Not /me: that answers 401 when signed out, which browsers log as an error on every signed-out page.
      this.me = (await api.get<{ user: Me | null }>("/auth/session")).user;
      this.error = null;
    } catch {
      this.me = null;
      this.error = "Could not load your account.";
    } finally {
      this.loaded = true;
    }
  }

  async login(handle: string, password: string): Promise<void> {
    this.me = (await api.post<{ user: Me }>("/auth/login", { handle, password })).user;
  }

  async signup(handle: string, password: string, displayName?: string): Promise<void> {
    this.me = (await api.post<{ user: Me }>("/auth/signup", { handle, password, displayName })).user;
  }

  async logout(): Promise<void> {
    await api.post("/auth/logout");
    this.me = null;
  }
}

export const session = new Session();
