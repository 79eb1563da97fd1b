// Worker tests: the real Worker, Durable Objects and local D1 inside workerd via the Cloudflare vitest plugin.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { pushProxyWorker } from "./push-proxy.ts";
import { testSecrets } from "./secrets.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...testSecrets,
            TEST_MIGRATIONS: migrations,
            CALLS_API_BASE: inject<string>("callsApiBase"),
            STRIPE_API_BASE: inject<string>("stripeApiBase"),
            PUSH_SERVICE_HOSTS: "push.spaces.test",
          },
          // Push endpoints are https only: this routes the push service's https origin to its local stand-in.
          outboundService: "push-proxy",
          workers: [pushProxyWorker(inject<string>("pushServiceUrl"))],
        },
      })),
    ],
    // The global setup runs the SFU stand-in in Node: its Opus decoder's worker shim must be the Node build, not
    // the "browser" field vite would otherwise pick.
    resolve: { alias: { "@eshaz/web-worker": "@eshaz/web-worker/cjs/node.js" } },
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      globalSetup: ["./test/worker/global-setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
});
