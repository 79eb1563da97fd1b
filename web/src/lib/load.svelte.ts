// A small rune-based loader: runs an async function and exposes data, loading and error for the page.
import { errorMessage } from "./api.ts";

export class Loader<T> {
  data = $state<T | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  private readonly fetcher: () => Promise<T>;

  constructor(fetcher: () => Promise<T>) {
    this.fetcher = fetcher;
  }

  /** Fetches again without going back to the loading state (the page keeps showing what it has). */
  async refresh(): Promise<void> {
    try {
      this.data = await this.fetcher();
      this.error = null;
    } catch (error) {
      if (this.data === null) this.error = errorMessage(error);
    }
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.data = await this.fetcher();
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
    }
  }
}
