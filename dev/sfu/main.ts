// CLI for the local Calls-compatible SFU: `node dev/sfu/main.ts`; env PORT, CALLS_APP_ID,
// CALLS_APP_SECRET. Prints the base URL to give the Calls client and stops on SIGINT, SIGTERM or SIGHUP.
import { stopOnSignals } from "../processes.ts";
import { startSfu } from "./server.ts";

const port = Number(process.env.PORT ?? 8790);
const appId = process.env.CALLS_APP_ID ?? "local-app";
const appSecret = process.env.CALLS_APP_SECRET ?? "local-secret";

if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}

const sfu = await startSfu({ port, appId, appSecret, log: true });
console.log(JSON.stringify({ event: "sfu_started", url: sfu.url, appId }));

stopOnSignals(async (signal) => {
  await sfu.close();
  console.log(JSON.stringify({ event: "sfu_stopped", signal }));
});
