// Typed calls to the Worker's audio routes; the Calls app secret lives only in the Worker.
import type {
  AudioSession,
  CloseRequest,
  CloseResponse,
  PublishRequest,
  PublishResponse,
  PullRequest,
  PullResponse,
  RenegotiateRequest,
} from "#protocol/audio.ts";
import { api } from "../api.ts";

const path = (spaceId: string, step: string) => `/spaces/${encodeURIComponent(spaceId)}/audio/${step}`;

export const audioApi = {
  session: (spaceId: string, joinToken?: string) =>
    api.post<AudioSession>(path(spaceId, "session"), joinToken ? { joinToken } : undefined),
  publish: (spaceId: string, body: PublishRequest) => api.post<PublishResponse>(path(spaceId, "publish"), body),
  pull: (spaceId: string, body: PullRequest) => api.post<PullResponse>(path(spaceId, "pull"), body),
  renegotiate: (spaceId: string, body: RenegotiateRequest) => api.post<{ ok: true }>(path(spaceId, "renegotiate"), body),
  close: (spaceId: string, body: CloseRequest) => api.post<CloseResponse>(path(spaceId, "close"), body),
};
