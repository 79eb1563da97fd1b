// The deploy dry run's binding check (dev/bundle-check.ts): a deploy must carry Workers AI for captions, which no local
// run would miss. Output lines as wrangler 4 prints its binding table.
import { describe, expect, it } from "vitest";
import { missingDeployBindings } from "../../dev/bundle-check.ts";

const table = (rows: string[]) => ["Your Worker has access to the following bindings:", "Binding        Resource", ...rows, "", "--dry-run: exiting now."].join("\n");

describe("deploy-only bindings in the dry run", () => {
  it("finds the AI binding in the table", () => {
    expect(missingDeployBindings(table(["env.SPACE_ROOM (SpaceRoom)      Durable Object", "env.AI         AI", "env.DB (spaces)      D1 Database"]))).toEqual([]);
  });

  it("names it when the table lacks it, or has it under another name", () => {
    expect(missingDeployBindings(table(["env.DB (spaces)      D1 Database"]))).toEqual(["AI (Workers AI, captions' speech-to-text)"]);
    expect(missingDeployBindings(table(["env.AI_OLD     AI"]))).toEqual(["AI (Workers AI, captions' speech-to-text)"]);
  });
});
