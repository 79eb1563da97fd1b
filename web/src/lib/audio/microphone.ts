// Asking for the microphone, with each way it can fail turned into a sentence a person can act on.
export type MicProblem = "denied" | "missing" | "busy" | "unsupported";

export type MicResult = { ok: true; stream: MediaStream; track: MediaStreamTrack } | { ok: false; problem: MicProblem; message: string };

const MESSAGES: Record<MicProblem, string> = {
  denied:
    "Spaces can't use your microphone: access was blocked. Allow the microphone for this site in your browser's settings, then choose “Try microphone again”. You stay on stage, muted.",
  missing: "No microphone was found. Connect one, then choose “Try microphone again”. You stay on stage, muted.",
  busy: "Your microphone is in use by another app or could not start. Close the other app, then choose “Try microphone again”.",
  unsupported: "This browser can't share a microphone here (it needs a secure https page). You stay on stage, muted.",
};

export async function requestMicrophone(): Promise<MicResult> {
  if (!navigator.mediaDevices?.getUserMedia) return failed("unsupported");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const [track] = stream.getAudioTracks();
    if (!track) return failed("missing");
    return { ok: true, stream, track };
  } catch (error) {
    const name = error instanceof DOMException ? error.name : "";
    if (name === "NotAllowedError" || name === "SecurityError") return failed("denied");
    if (name === "NotFoundError" || name === "OverconstrainedError") return failed("missing");
    return failed("busy");
  }
}

function failed(problem: MicProblem): MicResult {
  return { ok: false, problem, message: MESSAGES[problem] };
}
