// Accounts: signup and login (both throttled), password change, logout, /me and /auth/session.
import { Hono } from "hono";
import { z } from "zod";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import { attemptLimits, hostFollowerMinAgeMs, hostMinFollowers, perAddressLimitsLifted } from "../settings.ts";
import { claimAttempt, loginCounters, settleSuccess, signupCounters } from "../db/login-attempts.ts";
import { endAllSessions } from "../db/sessions.ts";
import { createUser, findUserByHandle, findUserById, followCounts, seasonedFollowerCount, setPassword, toPublicUser } from "../db/users.ts";
import { clientAddress, requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError, unauthorized } from "./errors.ts";
import { endSession, startSession } from "./session.ts";
import { handleSchema, jsonBody, userLineSchema } from "./validate.ts";

const passwordSchema = z.string().min(8, "at least 8 characters").max(200, "at most 200 characters");

const signupSchema = z.object({
  handle: handleSchema,
  password: passwordSchema,
  displayName: userLineSchema(50).optional(),
});
const passwordChangeSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema });
const loginSchema = z.object({ handle: z.string().min(1).max(64), password: z.string().min(1).max(200) });

/** The signed-in person as the web app sees them. */
export async function meView(c: AppContext, userId: string) {
  const user = await findUserById(db(c.env), userId);
  if (!user) throw unauthorized();
  const counts = await followCounts(db(c.env), userId);
  const needed = hostMinFollowers(c.env);
  const seasoned = await seasonedFollowerCount(db(c.env), userId, Date.now() - hostFollowerMinAgeMs(c.env));
  return { ...toPublicUser(user), ...counts, canHost: seasoned >= needed, hostMinFollowers: needed, hostEligibleFollowers: seasoned };
}

export const authRoutes = new Hono<AppEnv>()
  .post("/auth/signup", jsonBody(signupSchema), async (c) => {
    const { handle, password, displayName } = c.req.valid("json");
    const lifted = perAddressLimitsLifted(c.env, c.req.raw);
    const wait = lifted ? 0 : await claimAttempt(db(c.env), signupCounters(clientAddress(c), attemptLimits(c.env)), Date.now());
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      throw new ApiError(429, "too_many_signups", "Too many new accounts from this network. Try again later.");
    }
    const { hash, salt } = await hashPassword(password);
    const user = await createUser(db(c.env), {
      handle,
      displayName: displayName ?? handle,
      passwordHash: hash,
      passwordSalt: salt,
    });
    if (!user) throw new ApiError(409, "handle_taken", `The handle @${handle} is already taken.`, ["handle"]);
    await startSession(c, user.id);
    return c.json({ user: await meView(c, user.id) }, 201);
  })
  .post("/auth/login", jsonBody(loginSchema), async (c) => {
    const { handle, password } = c.req.valid("json");
    const handleLower = handle.toLowerCase();
    const address = clientAddress(c);
    // The attempt is counted before the password is checked, so parallel guesses cannot all be let through.
    // A load test lifts only the counter over all handles of one address; each handle keeps its own lockout.
    const counters = loginCounters(handleLower, address, attemptLimits(c.env)).filter(
      (counter) => !(counter.key.startsWith("address:") && perAddressLimitsLifted(c.env, c.req.raw)),
    );
    const locked = await claimAttempt(db(c.env), counters, Date.now());
    if (locked > 0) {
      const minutes = Math.ceil(locked / 60_000);
      c.header("Retry-After", String(Math.ceil(locked / 1000)));
      throw new ApiError(429, "too_many_attempts", `Too many failed logins. Try again in ${minutes} minute(s).`);
    }
    const user = await findUserByHandle(db(c.env), handle);
    const ok = user ? await verifyPassword(password, user.passwordHash, user.passwordSalt) : false;
    if (!user || !ok) throw new ApiError(401, "invalid_credentials", "That handle and password do not match.");
    await settleSuccess(db(c.env), handleLower, address);
    await startSession(c, user.id);
    return c.json({ user: await meView(c, user.id) });
  })
  // A new password ends every session of the account (a thief's included); this browser gets a fresh one.
  .post("/auth/password", jsonBody(passwordChangeSchema), async (c) => {
    const userId = requireUserId(c);
    const { currentPassword, newPassword } = c.req.valid("json");
    const user = await findUserById(db(c.env), userId);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash, user.passwordSalt))) {
      throw new ApiError(403, "wrong_password", "The current password is not right.", ["currentPassword"]);
    }
    const { hash, salt } = await hashPassword(newPassword);
    await setPassword(db(c.env), userId, hash, salt);
    await endAllSessions(db(c.env), userId);
    await startSession(c, userId);
    return c.json({ ok: true });
  })
  .post("/auth/logout", async (c) => {
    await endSession(c);
    return c.json({ ok: true });
  })
  .get("/me", async (c) => c.json({ user: await meView(c, requireUserId(c)) }))
  // The web app asks this on every page: being signed out is a normal answer (200, user null), not an error.
  .get("/auth/session", async (c) => {
    const userId = c.get("userId");
    return c.json({ user: userId ? await meView(c, userId) : null });
  });
