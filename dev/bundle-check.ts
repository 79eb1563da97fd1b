// CI check: `wrangler deploy --dry-run` bundles the Worker exactly as a deploy would, and the bundle's gzipped size is
// printed against its budget (512 KiB); over budget, a failed bundle, or a deploy without a binding production needs
// (Workers AI for captions: it is in wrangler.toml, but nothing local would notice it missing) exits non-zero.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const ROOT = join(import.meta.dirname, "..");
export const BUNDLE_BUDGET_BYTES = 512 * 1024;

/** Gzipped bytes of what would be uploaded: every module in the outdir except source maps and wrangler's README. */
export function gzippedBundleBytes(outdir: string): { files: string[]; bytes: number } {
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".map") && entry.name !== "README.md")
    .map((entry) => join(entry.parentPath, entry.name));
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
  return { files, bytes };
}

/** Bindings a deploy must carry although no local run uses them, as `wrangler deploy --dry-run` lists them. */
export const DEPLOY_ONLY_BINDINGS = [{ name: "AI", resource: "AI", why: "Workers AI, captions' speech-to-text" }];

/** The deploy-only bindings missing from the dry run's binding table ("env.AI   AI"). */
export function missingDeployBindings(dryRunOutput: string): string[] {
  return DEPLOY_ONLY_BINDINGS.filter((b) => !new RegExp(`^env\\.${b.name}\\s+${b.resource}\\b`, "m").test(dryRunOutput)).map((b) => `${b.name} (${b.why})`);
}

export function budgetLine(bytes: number, budget = BUNDLE_BUDGET_BYTES): { ok: boolean; line: string } {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const ok = bytes <= budget;
  return { ok, line: `Worker bundle: ${kib(bytes)} gzipped, budget ${kib(budget)} (${((bytes / budget) * 100).toFixed(0)} %)${ok ? "" : " — OVER BUDGET"}` };
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), "spaces-bundle-"));
  try {
    const outdir = join(work, "out");
    const args = ["deploy", "--dry-run", "--outdir", outdir];
    // Assets are uploaded beside the Worker, not inside its bundle; without a web build an empty folder stands in.
    if (!existsSync(join(ROOT, "web/build"))) {
      mkdirSync(join(work, "no-assets"));
      args.push("--assets", join(work, "no-assets"));
    }
    const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
    const result = spawnSync(process.execPath, [wrangler, ...args], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      encoding: "utf8",
    });
    if (result.status !== 0) {
      process.stderr.write(result.stdout + result.stderr);
      console.error("✗ wrangler deploy --dry-run failed");
      process.exit(1);
    }
    const missing = missingDeployBindings(result.stdout);
    if (missing.length > 0) {
      console.error(`✗ the deploy would lack ${missing.join(", ")}: add it to wrangler.toml`);
      process.exit(1);
    }
    console.log(`Deploy-only bindings present: ${DEPLOY_ONLY_BINDINGS.map((b) => b.name).join(", ")}`);
    const { files, bytes } = gzippedBundleBytes(outdir);
    if (files.length === 0) {
      console.error("✗ wrangler deploy --dry-run wrote no modules");
      process.exit(1);
    }
    const { ok, line } = budgetLine(bytes);
    console.log(line);
    if (!ok) process.exit(1);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) main();
