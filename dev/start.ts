// `npm start`: the whole product on http://127.0.0.1:8787 with demo data, offline. Ctrl-C stops everything.
import { join } from "node:path";
import { DEMO_PASSWORD, DEMO_USERS } from "./seed.ts";
import { stopOnSignals } from "./processes.ts";
import { ROOT, startStack } from "./stack.ts";

const port = Number(process.env.PORT ?? 8787);
const started = Date.now();
const stack = await startStack({
  port,
  persistDir: join(ROOT, ".wrangler/state"),
  // SPACES_LOAD_TEST=1 lifts per-address limits; the Worker honours it only for loopback requests like these.
  ...(process.env.SPACES_LOAD_TEST === "1" ? { vars: { SPACES_LOAD_TEST: "1" } } : {}),
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
});

console.log(`
Spaces is running at ${stack.url}

Demo logins (password "${DEMO_PASSWORD}"):
${DEMO_USERS.map((u) => `  ${u.handle.padEnd(6)} ${u.displayName}${u.handle === "host" ? " (640 followers, can host)" : ""}`).join("\n")}

Press Ctrl-C to stop.`);

stopOnSignals(async (signal) => {
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
});
