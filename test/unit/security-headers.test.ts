// The CSP's one allowed style attribute is the installed SvelteKit's route announcer, letter for letter: a SvelteKit
// upgrade that changes it fails here rather than as a CSP violation in people's consoles.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect, test } from "vitest";
import { SVELTEKIT_ANNOUNCER_STYLE } from "../../worker/http/security-headers.ts";

test("the allowed style attribute is exactly the one SvelteKit's root component renders", () => {
  const kitRoot = dirname(createRequire(import.meta.url).resolve("@sveltejs/kit/package.json"));
  const rootComponent = readFileSync(join(kitRoot, "src/runtime/components/root.svelte"), "utf8");
  const styles = [...rootComponent.matchAll(/style="([^"]*)"/g)].map((match) => match[1]);
  expect(styles).toEqual([SVELTEKIT_ANNOUNCER_STYLE]);
});
