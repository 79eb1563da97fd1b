// Hono typing shared by every route group: Worker bindings and per-request variables.
import type { Context } from "hono";
import { unauthorized } from "./errors.ts";

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; userId: string | null };
};
export type AppContext = Context<AppEnv>;

/** The signed-in user's id, or a 401 in the contract's shape. */
export function requireUserId(c: AppContext): string {
  const userId = c.get("userId");
  if (!userId) throw unauthorized();
  return userId;
}
