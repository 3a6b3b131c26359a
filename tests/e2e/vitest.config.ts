import { defineConfig } from "vitest/config";

// Browser journeys: the portal runs as its own production process, so there is no database setup file here.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
