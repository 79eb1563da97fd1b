// Unit tests: pure modules (room state machine, protocol parsers, validation) in plain Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
    // The room fuzz runs 10,000 transitions with deep copies; on a loaded 2-core machine that outlives the 5 s default.
    testTimeout: 60_000,
  },
});
