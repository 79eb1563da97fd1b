// Worker tests: the real Worker, Durable Objects and local D1 inside workerd via the Cloudflare vitest plugin.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { pushProxyWorker } from "./push-proxy.ts";
import { testSecrets } from "./secrets.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        // Workers AI has no local simulator: off, `env.AI` is a stub that throws instead of a session that needs a login.
        remoteBindings: false,
        miniflare: {
          bindings: {
            ...testSecrets,
            TEST_MIGRATIONS: migrations,
            CALLS_API_BASE: inject<string>("callsApiBase"),
            STRIPE_API_BASE: inject<string>("stripeApiBase"),
            PUSH_SERVICE_HOSTS: "push.spaces.test",
            STT_WS_URL: inject<string>("sttWsUrl"),
            ADAPTER_ENDPOINT_ORIGIN: inject<string>("adapterEndpointOrigin"),
          },
          // Push endpoints are https only: this routes the push service's https origin to its local stand-in.
          outboundService: "push-proxy",
          workers: [pushProxyWorker(inject<string>("pushServiceUrl"))],
        },
      })),
    ],
    // The global setup runs the SFU and speech-to-text stand-ins in Node: their Opus decoder's worker shim and `ws`
    // must be the Node builds, not the "browser" ones vite would otherwise pick.
    resolve: {
      alias: [
        { find: "@eshaz/web-worker", replacement: "@eshaz/web-worker/cjs/node.js" },
        { find: /^ws$/, replacement: fileURLToPath(new URL("../../node_modules/ws/wrapper.mjs", import.meta.url)) },
      ],
    },
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      globalSetup: ["./test/worker/global-setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
});
