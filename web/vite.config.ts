// Vite + SvelteKit config: a static SPA (adapter-static, index.html fallback) served by the Worker's [assets];
// the dev server proxies /api to the local Worker.
import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ pages: "build", assets: "build", fallback: "index.html", strict: false }),
      // One JS bundle (and one stylesheet): the SPA fallback cannot preload a route's chunks, so "split" costs two
      // more sequential round trips (entry → route node → its imports) before the page can ask for data.
      output: { bundleStrategy: "single" },
    }),
  ],
  server: {
    fs: { allow: [".."] },
    proxy: { "/api": { target: "http://127.0.0.1:8787", ws: true } },
  },
});
