// Stripe's published object shapes, read from the `stripe` package's own declarations with the TypeScript compiler API
// (Stripe generates them from its OpenAPI description; the package records the spec version in OPENAPI_VERSION).
// For each property of, say, `Checkout.Session`: is it optional, and which JSON kinds may its value have.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export type JsonKind = "string" | "number" | "boolean" | "null" | "array" | "object";
export type DeclaredField = { optional: boolean; kinds: Set<JsonKind>; type: string };

const stripeRoot = join(import.meta.dirname, "../../../node_modules/stripe");
export const STRIPE_OPENAPI_VERSION = readFileSync(join(stripeRoot, "OPENAPI_VERSION"), "utf8").trim();

/** Fields of `interfaceName` declared in `stripe/esm/resources/<file>` (e.g. "Checkout/Sessions.d.ts", "Session"). */
export function declaredFields(file: string, interfaceName: string): Map<string, DeclaredField> {
  const path = join(stripeRoot, "esm/resources", file);
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const aliases = new Map<string, ts.TypeNode>();
  let target: ts.InterfaceDeclaration | undefined;
  const walk = (node: ts.Node, scope: string[]) => {
    if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
      for (const statement of node.body.statements) walk(statement, [...scope, node.name.getText(source)]);
      return;
    }
    if (ts.isTypeAliasDeclaration(node)) aliases.set([...scope, node.name.text].join("."), node.type);
    if (ts.isInterfaceDeclaration(node) && scope.length === 0 && node.name.text === interfaceName) target = node;
  };
  source.forEachChild((node) => walk(node, []));
  if (!target) throw new Error(`stripe declares no ${interfaceName} in ${file}`);

  const kindsOf = (type: ts.TypeNode, seen: number): Set<JsonKind> => {
    if (seen > 5) return new Set(["object"]);
    if (ts.isUnionTypeNode(type)) return new Set(type.types.flatMap((member) => [...kindsOf(member, seen + 1)]));
    if (ts.isParenthesizedTypeNode(type)) return kindsOf(type.type, seen + 1);
    if (ts.isLiteralTypeNode(type)) {
      if (type.literal.kind === ts.SyntaxKind.NullKeyword) return new Set(["null"]);
      if (ts.isStringLiteral(type.literal)) return new Set(["string"]);
      if (ts.isNumericLiteral(type.literal)) return new Set(["number"]);
      return new Set(["boolean"]);
    }
    if (type.kind === ts.SyntaxKind.StringKeyword) return new Set(["string"]);
    if (type.kind === ts.SyntaxKind.NumberKeyword) return new Set(["number"]);
    if (type.kind === ts.SyntaxKind.BooleanKeyword) return new Set(["boolean"]);
    if (ts.isArrayTypeNode(type)) return new Set(["array"]);
    if (ts.isTypeReferenceNode(type)) {
      const name = type.typeName.getText(source);
      if (name === "Array") return new Set(["array"]);
      // Open string enums end in `| OtherString` (a branded string) so new values Stripe adds still type-check.
      if (name === "OtherString") return new Set(["string"]);
      const alias = aliases.get(name) ?? aliases.get(`${interfaceName}.${name}`);
      if (alias) return kindsOf(alias, seen + 1);
      return new Set(["object"]);
    }
    if (ts.isTypeLiteralNode(type)) return new Set(["object"]);
    return new Set(["string", "number", "boolean", "null", "array", "object"]);
  };

  const fields = new Map<string, DeclaredField>();
  for (const member of target.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const name = member.name.getText(source);
    // `deleted?: void` marks the non-deleted variant; it never appears on the wire.
    if (member.type.kind === ts.SyntaxKind.VoidKeyword) continue;
    fields.set(name, { optional: Boolean(member.questionToken), kinds: kindsOf(member.type, 0), type: member.type.getText(source) });
  }
  return fields;
}

export function jsonKind(value: unknown): JsonKind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonKind;
}

/** How a JSON object differs from Stripe's declaration: undeclared fields, wrongly typed ones, missing required ones. */
export function shapeDrift(value: Record<string, unknown>, declared: Map<string, DeclaredField>): string[] {
  const drift: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    const declaration = declared.get(name);
    if (!declaration) drift.push(`${name}: not a field Stripe declares`);
    else if (!declaration.kinds.has(jsonKind(field))) drift.push(`${name}: ${jsonKind(field)}, Stripe declares ${declaration.type}`);
  }
  for (const [name, field] of declared) if (!field.optional && !(name in value)) drift.push(`${name}: missing (Stripe declares ${field.type})`);
  return drift;
}
