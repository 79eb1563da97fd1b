// Who is signed in: one shared rune store, loaded once at start and updated by login, signup and logout.
import type { Me } from "#protocol/api.ts";
import { api, ApiFailure } from "./api.ts";

class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

  async refresh(): Promise<void> {
    try {
      this.me = (await api.get<{ user: Me }>("/me")).user;
      this.error = null;
    } catch (error) {
      this.me = null;
      if (!(error instanceof ApiFailure && error.status === 401)) this.error = "Could not load your account.";
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
