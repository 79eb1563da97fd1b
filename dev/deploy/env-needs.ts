// What the Worker needs from its deployment, read from the `Env` type that `wrangler types` generates
// (worker/worker-configuration.d.ts) with the TypeScript compiler API: one source of truth, no hand-kept list.
import { readFileSync } from "node:fs";
import ts from "typescript";

export type NeedKind = "d1" | "r2" | "kv" | "durable_object" | "assets" | "rate_limit" | "queue" | "ai" | "string" | "other";
export type EnvNeed = { name: string; kind: NeedKind; type: string };

const KIND_BY_TYPE: Record<string, NeedKind> = {
  D1Database: "d1",
  R2Bucket: "r2",
  KVNamespace: "kv",
  DurableObjectNamespace: "durable_object",
  Fetcher: "assets",
  RateLimit: "rate_limit",
  Queue: "queue",
  Ai: "ai",
  string: "string",
};

/** Members of `interface Env` (and the interfaces it extends, as wrangler writes it) in declaration order. */
export function envNeeds(declarationFile: string): EnvNeed[] {
  const source = ts.createSourceFile(declarationFile, readFileSync(declarationFile, "utf8"), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration[]>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, [...(interfaces.get(node.name.text) ?? []), node]);
  });
  if (!interfaces.has("Env")) throw new Error(`${declarationFile} declares no top-level interface Env; run npm run types`);

  const needs = new Map<string, EnvNeed>();
  const visit = (name: string, seen: Set<string>) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const declaration of interfaces.get(name) ?? []) {
      for (const clause of declaration.heritageClauses ?? []) {
        for (const parent of clause.types) visit(parent.expression.getText(source), seen);
      }
      for (const member of declaration.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const type = member.type.getText(source);
        const base = ts.isTypeReferenceNode(member.type) ? member.type.typeName.getText(source) : type;
        const memberName = member.name.getText(source).replace(/^["']|["']$/g, "");
        needs.set(memberName, { name: memberName, kind: KIND_BY_TYPE[base] ?? "other", type });
      }
    }
  };
  visit("Env", new Set());
  return [...needs.values()];
}
