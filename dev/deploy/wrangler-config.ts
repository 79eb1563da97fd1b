// The deploy configuration: read through wrangler's own parser (so we see exactly what a deploy sees) and edited as
// text, one `key = "value"` line at a time, so comments and layout in wrangler.toml survive every edit.
import { unstable_readConfig } from "wrangler";

/** The id wrangler.toml carries until `npm run setup:cloudflare` records the real database's. */
export const PLACEHOLDER_D1_ID = "00000000-0000-0000-0000-000000000000";

export type DeployConfig = {
  name: string;
  d1: { binding: string; database_name: string; database_id: string; migrations_dir: string }[];
  r2: { binding: string; bucket_name: string }[];
  kv: { binding: string; id: string }[];
  durableObjects: { name: string; class_name: string }[];
  /** Classes the [[migrations]] create (new_sqlite_classes and new_classes, minus deleted ones). */
  migratedClasses: string[];
  assets: { binding?: string; directory?: string } | undefined;
  rateLimits: { name: string }[];
  /** The Workers AI binding (`[ai] binding = "AI"`): production captions' speech-to-text. */
  ai: { binding: string } | undefined;
  vars: Record<string, string>;
};

/** The part of wrangler's normalised config we read (its own declaration does not resolve under our tsconfig). */
type RawConfig = {
  name?: string;
  migrations: { new_sqlite_classes?: string[]; new_classes?: string[]; deleted_classes?: string[] }[];
  d1_databases: { binding: string; database_name?: string; database_id?: string; migrations_dir?: string }[];
  r2_buckets: { binding: string; bucket_name?: string }[];
  kv_namespaces: { binding: string; id?: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  assets?: { binding?: string; directory?: string };
  ratelimits?: { name: string }[];
  ai?: { binding: string };
  vars: Record<string, unknown>;
};

export function readDeployConfig(configPath: string): DeployConfig {
  const config = unstable_readConfig({ config: configPath }, { hideWarnings: true }) as unknown as RawConfig;
  const created = config.migrations.flatMap((migration) => [...(migration.new_sqlite_classes ?? []), ...(migration.new_classes ?? [])]);
  const deleted = new Set(config.migrations.flatMap((migration) => migration.deleted_classes ?? []));
  return {
    name: config.name ?? "",
    d1: config.d1_databases.map((db) => ({
      binding: db.binding,
      database_name: db.database_name ?? "",
      database_id: db.database_id ?? "",
      migrations_dir: db.migrations_dir ?? "migrations",
    })),
    r2: config.r2_buckets.map((bucket) => ({ binding: bucket.binding, bucket_name: bucket.bucket_name ?? "" })),
    kv: config.kv_namespaces.map((namespace) => ({ binding: namespace.binding, id: namespace.id ?? "" })),
    durableObjects: config.durable_objects.bindings.map((binding) => ({ name: binding.name, class_name: binding.class_name })),
    migratedClasses: created.filter((name) => !deleted.has(name)),
    assets: config.assets ? { binding: config.assets.binding, directory: config.assets.directory } : undefined,
    rateLimits: (config.ratelimits ?? []).map((limit) => ({ name: limit.name })),
    ai: config.ai?.binding ? { binding: config.ai.binding } : undefined,
    vars: Object.fromEntries(Object.entries(config.vars).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])),
  };
}

/** Which table a value lives in: `[vars]`, or the `[[d1_databases]]` entry whose `binding = "DB"`. */
export type TomlTable = { header: string; where?: { key: string; value: string } };

const headerOf = (line: string) => /^\s*(\[\[?[^\]]+\]\]?)\s*(#.*)?$/.exec(line)?.[1];
const keyOf = (line: string) => /^\s*([A-Za-z0-9_-]+)\s*=/.exec(line)?.[1];

/** Sets `key = "value"` in the table, replacing the line if the key exists there, else adding it at the table's end. */
export function setTomlString(text: string, table: TomlTable, key: string, value: string): string {
  const lines = text.split("\n");
  let start = -1;
  for (let index = 0; index < lines.length && start === -1; index++) {
    if (headerOf(lines[index]!) !== table.header) continue;
    const end = blockEnd(lines, index);
    const block = lines.slice(index + 1, end);
    if (!table.where || block.some((line) => keyOf(line) === table.where!.key && line.includes(JSON.stringify(table.where!.value)))) start = index;
  }
  if (start === -1) throw new Error(`wrangler.toml has no ${table.header}${table.where ? ` with ${table.where.key} = "${table.where.value}"` : ""}`);
  const end = blockEnd(lines, start);
  const assignment = `${key} = ${JSON.stringify(value)}`;
  const existing = lines.findIndex((line, index) => index > start && index < end && keyOf(line) === key);
  if (existing !== -1) lines[existing] = assignment;
  else {
    let last = end - 1;
    while (last > start && (lines[last]!.trim() === "" || lines[last]!.trim().startsWith("#"))) last--;
    lines.splice(last + 1, 0, assignment);
  }
  return lines.join("\n");
}

/** The Workers AI binding the code reads (`env.AI`, captions' speech-to-text), appended as its own table. */
export function withAiBinding(text: string): string {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `${body}\n# Workers AI: production captions' speech-to-text (added by npm run setup:cloudflare; local runs use --local).\n[ai]\nbinding = "AI"\n`;
}

function blockEnd(lines: string[], headerIndex: number): number {
  for (let index = headerIndex + 1; index < lines.length; index++) if (headerOf(lines[index]!)) return index;
  return lines.length;
}

/** A line diff for printing planned edits (longest common subsequence): changed lines only, under their line numbers. */
export function lineDiff(file: string, before: string, after: string): string {
  if (before === after) return "";
  const a = before.split("\n");
  const b = after.split("\n");
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out = [`--- ${file}`, `+++ ${file}`];
  let i = 0;
  let j = 0;
  let inHunk = false;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      inHunk = false;
      continue;
    }
    if (!inHunk) out.push(`@@ line ${j + 1} @@`);
    inHunk = true;
    if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out.join("\n");
}
