import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["app/**/*.test.ts", "db/**/*.test.ts", "content/**/*.test.ts", "tests/integration/**/*.test.ts"],
    setupFiles: ["tests/setup/database.ts"],
    // Booting PGlite and migrating takes a few seconds per file.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    restoreMocks: true,
  },
});
