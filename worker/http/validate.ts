// Request validation at the route edge: JSON bodies and params through zod, failures in the contract's error shape.
import type { Context } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { ApiError } from "./errors.ts";

function invalidInput(issues: z.core.$ZodIssue[]): ApiError {
  const fields = [...new Set(issues.map((issue) => issue.path.join(".") || "body"))];
  const detail = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
  return new ApiError(400, "invalid_input", `Some fields are not valid (${detail}).`, fields);
}

/** Validates the JSON body with zod; read it with `c.req.valid("json")`. Malformed JSON is mapped in app.onError. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, (result) => {
    if (!result.success) throw invalidInput(result.error.issues);
  });
}

/** Validates a value (a query or param object) against a schema, or throws invalid_input. */
export function check<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  return parsed.data;
}

export const handleSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_]{3,15}$/, "3 to 15 letters, digits or underscores");

export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, "not a valid id");

export function param(c: Context, name: string, schema: z.ZodType<string> = idSchema): string {
  return check(z.object({ [name]: schema }), { [name]: c.req.param(name) })[name] as string;
}
