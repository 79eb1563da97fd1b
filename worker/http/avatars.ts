// Profile pictures: PUT /me/avatar (the image bytes, resized in the browser), DELETE /me/avatar, and
// GET /avatars/:userId/:file serving them from R2 with a long cache (each upload gets a new key).
import { Hono } from "hono";
import { db } from "../db/client.ts";
import { avatarUrlOf, setAvatarKey } from "../db/users.ts";
import { AVATAR_MAX_BYTES, AVATAR_PREFIX, deleteAvatar, storeAvatar } from "../media/avatars.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";

const USER_ID = /^[A-Za-z0-9-]{1,64}$/;
const FILE = /^[0-9a-f-]{36}\.(png|jpg|webp)$/;

export const avatarRoutes = new Hono<AppEnv>()
  .put("/me/avatar", async (c) => {
    const userId = requireUserId(c);
    const declared = Number(c.req.header("Content-Length") ?? "0");
    if (declared > AVATAR_MAX_BYTES) {
      throw new ApiError(413, "image_too_large", "That picture is too large; pictures can be up to 512 KB.");
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const key = await storeAvatar(c.env.MEDIA, userId, bytes);
    const replaced = await setAvatarKey(db(c.env), userId, key);
    await deleteAvatar(c.env.MEDIA, replaced);
    console.log(JSON.stringify({ event: "avatar_set", userId, bytes: bytes.byteLength }));
    return c.json({ avatarUrl: avatarUrlOf(key) });
  })
  .delete("/me/avatar", async (c) => {
    const userId = requireUserId(c);
    const replaced = await setAvatarKey(db(c.env), userId, null);
    await deleteAvatar(c.env.MEDIA, replaced);
    return c.json({ avatarUrl: null });
  })
  .get("/avatars/:userId/:file", async (c) => {
    const { userId, file } = c.req.param();
    if (!USER_ID.test(userId) || !FILE.test(file)) throw notFound("That picture");
    const object = await c.env.MEDIA.get(`${AVATAR_PREFIX}${userId}/${file}`);
    if (!object) throw notFound("That picture");
    const headers = new Headers();
    object.writeHttpMetadata(headers);
    headers.set("ETag", object.httpEtag);
    headers.set("X-Content-Type-Options", "nosniff");
    return new Response(object.body, { headers });
  });
