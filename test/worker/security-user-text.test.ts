// User text on input: control characters (a lone \r included) are stripped from Space titles and display names;
// bidi characters are kept (the UI isolates them); text that is only control characters is refused.
import { describe, expect, it } from "vitest";
import { client, host, uniqueHandle } from "./helpers.ts";

describe("control characters in user text", () => {
  it("strips them from a display name at signup and keeps bidi characters", async () => {
    const c = client();
    const res = await c.call("POST", "/api/auth/signup", {
      handle: uniqueHandle("txt"),
      password: "correct horse",
      displayName: "Ana\r\nX-Injected: 1\u0000\u0085\u2028 \u202Eevil",
    });
    expect(res.status).toBe(201);
    expect(res.json.user.displayName).toBe("AnaX-Injected: 1 \u202Eevil");
  });

  it("strips them from a new Space's title and from an edited one", async () => {
    const h = await host();
    const created = await h.call("POST", "/api/spaces", {
      title: "Friday\rBEGIN:VEVENT\u0007 chat\t",
      scheduledFor: Date.now() + 3600_000,
    });
    expect(created.status).toBe(201);
    expect(created.json.space.title).toBe("FridayBEGIN:VEVENT chat");
    const edited = await h.call("PATCH", `/api/spaces/${created.json.space.id}`, { title: "\nNew\u009b title\u2029" });
    expect(edited.status).toBe(200);
    expect((await h.call("GET", `/api/spaces/${created.json.space.id}`)).json.space.title).toBe("New title");
  });

  it("refuses a title made only of control characters, in the contract's error shape", async () => {
    const h = await host();
    const res = await h.call("POST", "/api/spaces", { title: "\r\n\t\u0000" });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_input");
    expect(res.json.error.fields).toEqual(["title"]);
  });
});
