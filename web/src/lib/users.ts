// Profiles and following.
import type { Profile } from "#protocol/api.ts";
import { api } from "./api.ts";

export const getProfile = async (handle: string) => (await api.get<{ user: Profile }>(`/users/${encodeURIComponent(handle)}`)).user;

export const setFollowing = (handle: string, follow: boolean) =>
  follow
    ? api.post<{ followedByMe: boolean; followers: number }>(`/users/${encodeURIComponent(handle)}/follow`)
    : api.delete<{ followedByMe: boolean; followers: number }>(`/users/${encodeURIComponent(handle)}/follow`);
