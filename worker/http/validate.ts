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

// C0 and C1 control characters (tabs and newlines included) and the Unicode line/paragraph separators: a title or
// name is one line, and a lone \r or \n would break the lines of calendar files, logs and notifications. Bidi
// characters stay (they are real text in right-to-left languages); the UI isolates user text instead.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Removes control characters from one-line user text (titles, display names). */
export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, "");
}

/** One line of user text: control characters removed, then trimmed, 1 to `max` characters. */
export function userLineSchema(max: number) {
  return z.string().overwrite(stripControlCharacters).trim().min(1, "required").max(max, `at most ${max} characters`);
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
