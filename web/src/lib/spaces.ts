// Spaces over HTTP: create, list/search, read one.
import type { JoinTicket } from "./room.svelte.ts";
import type { HostSpaces, SpaceView, SpeakPolicy } from "#protocol/api.ts";
import { api } from "./api.ts";

export type NewSpaceInput = {
  title: string;
  scheduledFor?: string;
  speakPolicy?: SpeakPolicy;
  topics?: string[];
  ticket?: { priceCents: number; currency: "usd"; capacity: number };
};

export const createSpace = async (input: NewSpaceInput) => (await api.post<{ space: SpaceView }>("/spaces", input)).space;

/**
 * The Space page's first data call: the Space and, when it is live and you may enter, a join ticket in the same
 * answer, so the room socket opens one round trip sooner.
 */
export const getSpaceWithTicket = (id: string) =>
  api.get<{ space: SpaceView; join?: JoinTicket }>(`/spaces/${encodeURIComponent(id)}?join=1`);

export const getSpace = async (id: string) => (await api.get<{ space: SpaceView }>(`/spaces/${encodeURIComponent(id)}`)).space;

export async function listSpaces(filter: { state?: "live" | "scheduled"; q?: string; topic?: string } = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  const query = params.toString();
  return (await api.get<{ spaces: SpaceView[] }>(`/spaces${query ? `?${query}` : ""}`)).spaces;
}

/** Your own Spaces, drafts and cancelled ones included. */
export const getMySpaces = () => api.get<HostSpaces>("/me/spaces");

/** Someone's public Spaces: live, upcoming and past. */
export const getUserSpaces = (handle: string) => api.get<HostSpaces>(`/users/${encodeURIComponent(handle)}/spaces`);
