// Which speech-to-text a deployment gets: the stand-in at STT_WS_URL, none for "none" (local runs without pocketsphinx,
// where `AI` is wrangler's offline stub), Workers AI through the `AI` binding in production, else none.
import { describe, expect, it } from "vitest";
import { sttProviderFor } from "../../worker/media/stt/provider.ts";

/** What the `AI` binding offers the provider; never called here (choosing a provider opens no stream). */
const ai = { run: async () => new Response(null, { status: 500 }) };

describe("sttProviderFor", () => {
  it("takes the stand-in at STT_WS_URL over an AI binding", () => {
    expect(sttProviderFor({ STT_WS_URL: "ws://127.0.0.1:9/v1/listen", AI: ai })?.name).toBe("local");
  });

  it('has none for STT_WS_URL "none", even with an AI binding (the offline stub under wrangler dev --local)', () => {
    expect(sttProviderFor({ STT_WS_URL: "none", AI: ai })).toBeNull();
  });

  it("uses Workers AI when STT_WS_URL is empty and the AI binding exists; none without it", () => {
    expect(sttProviderFor({ STT_WS_URL: "", AI: ai })?.name).toBe("workers-ai");
    expect(sttProviderFor({ STT_WS_URL: "" })).toBeNull();
    expect(sttProviderFor({ STT_WS_URL: "", AI: {} })).toBeNull();
  });
});
