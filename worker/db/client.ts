// The drizzle handle over the D1 binding: the one way worker code reaches the database (queries live in db/).
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema.ts";

export function db(env: Pick<Env, "DB">) {
  return drizzle(env.DB, { schema });
}
export type Db = ReturnType<typeof db>;
