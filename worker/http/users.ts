// Profiles and the follow graph: GET /users/:handle, POST/DELETE /users/:handle/follow.
import { Hono } from "hono";
import { findUserByHandle, follow, followCounts, isFollowing, toPublicUser, unfollow } from "../db/users.ts";
import { requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError, notFound } from "./errors.ts";
import { handleSchema, param } from "./validate.ts";

async function userFromParam(c: AppContext) {
  const handle = param(c, "handle", handleSchema);
  const user = await findUserByHandle(db(c.env), handle);
  if (!user) throw notFound(`The user @${handle}`);
  return user;
}

export const userRoutes = new Hono<AppEnv>()
  .get("/users/:handle", async (c) => {
    const user = await userFromParam(c);
    const viewerId = c.get("userId");
    const [counts, followedByMe] = await Promise.all([
      followCounts(db(c.env), user.id),
      viewerId ? isFollowing(db(c.env), viewerId, user.id) : Promise.resolve(false),
    ]);
    return c.json({ user: { ...toPublicUser(user), ...counts, followedByMe, isMe: viewerId === user.id } });
  })
  .post("/users/:handle/follow", async (c) => {
    const me = requireUserId(c);
    const user = await userFromParam(c);
    if (user.id === me) throw new ApiError(400, "cannot_follow_self", "You cannot follow yourself.");
    await follow(db(c.env), me, user.id);
    const { followers } = await followCounts(db(c.env), user.id);
    return c.json({ followedByMe: true, followers });
  })
  .delete("/users/:handle/follow", async (c) => {
    const me = requireUserId(c);
    const user = await userFromParam(c);
    if (user.id === me) throw new ApiError(400, "cannot_follow_self", "You cannot follow yourself.");
    await unfollow(db(c.env), me, user.id);
    const { followers } = await followCounts(db(c.env), user.id);
    return c.json({ followedByMe: false, followers });
  });
