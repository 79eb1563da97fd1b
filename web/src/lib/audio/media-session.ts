// Media Session for the Space you are listening to: title, host and artwork on the lock screen and in the
// notification shade, with play/pause (local playback only) and leave ("hangup", or "stop" where that is the button).
export type NowPlaying = { spaceId: string; title: string; hostName: string; playing: boolean };
export type NowPlayingControls = { play: () => void; pause: () => void; leave: () => void };

const LEAVE_ACTIONS = ["hangup", "stop"] as const;
type Action = "play" | "pause" | (typeof LEAVE_ACTIONS)[number];

/** The Space's share card first (its title and host, drawn by the Worker), then the app icon. */
export function artworkFor(spaceId: string): MediaImage[] {
  return [
    { src: `/api/spaces/${encodeURIComponent(spaceId)}/card.png`, sizes: "1200x630", type: "image/png" },
    { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
    { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
  ];
}

function setHandler(session: MediaSession, action: Action, handler: (() => void) | null): void {
  try {
    session.setActionHandler(action as MediaSessionAction, handler);
  } catch {
    // Browsers throw for actions they do not know (older ones lack "hangup"); the others still work.
  }
}

/** Shows `nowPlaying` and wires its buttons; returns the function that clears both (on leave or page change). */
export function showNowPlaying(nowPlaying: NowPlaying, controls: NowPlayingControls): () => void {
  if (typeof navigator === "undefined" || !("mediaSession" in navigator)) return () => undefined;
  const session = navigator.mediaSession;
  session.metadata = new MediaMetadata({
    title: nowPlaying.title,
    artist: nowPlaying.hostName,
    album: "Live on Spaces",
    artwork: artworkFor(nowPlaying.spaceId),
  });
  session.playbackState = nowPlaying.playing ? "playing" : "paused";
  setHandler(session, "play", controls.play);
  setHandler(session, "pause", controls.pause);
  for (const action of LEAVE_ACTIONS) setHandler(session, action, controls.leave);
  return () => {
    session.metadata = null;
    session.playbackState = "none";
    for (const action of ["play", "pause", ...LEAVE_ACTIONS] as const) setHandler(session, action, null);
  };
}

/** The page's players of stage audio (RoomAudio/AudioPlayers render them); pause and play act on these. */
export function remoteAudioElements(): HTMLAudioElement[] {
  return [...document.querySelectorAll<HTMLAudioElement>('audio[data-testid="remote-audio"]')];
}

/** Pause on the lock screen: this device stops playing; the room still counts you as listening. */
export function pauseRemoteAudio(): void {
  for (const element of remoteAudioElements()) element.pause();
}

export async function playRemoteAudio(): Promise<void> {
  await Promise.all(remoteAudioElements().map((element) => element.play().catch(() => undefined)));
}
