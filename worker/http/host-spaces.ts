// A host's Spaces: GET /me/spaces (yours, drafts and cancelled included) and GET /users/:handle/spaces (public:
// live, upcoming and past).
import { Hono } from "hono";
import { hostSpaces } from "../db/host-spaces.ts";
import { findUserByHandle } from "../db/users.ts";
import { db } from "../db/client.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { notFound } from "./errors.ts";
import { handleSchema, param } from "./validate.ts";

export const hostSpacesRoutes = new Hono<AppEnv>()
  .get("/me/spaces", async (c) => {
    const userId = requireUserId(c);
    return c.json(await hostSpaces(db(c.env), userId, { includePrivate: true }));
  })
  .get("/users/:handle/spaces", async (c) => {
    const handle = param(c, "handle", handleSchema);
    const user = await findUserByHandle(db(c.env), handle);
    if (!user) throw notFound(`The user @${handle}`);
    // The owner looking at their own profile sees the same public list as everyone; drafts live on "Your Spaces".
    return c.json(await hostSpaces(db(c.env), user.id, { includePrivate: false }));
  });
