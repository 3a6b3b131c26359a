import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// Known and harmless, and they would flood the terminal of every `npm start`: zod's comments that Rollup cannot place,
// and the empty client chunks of resource routes (feeds, exports), which have no client code by design.
const QUIET = new Set(["INVALID_ANNOTATION", "EMPTY_BUNDLE"]);

export default defineConfig({
  server: { hmr: { port: Number(process.env.HMR_PORT ?? 24678) } },
  build: {
    target: "es2022",
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code && QUIET.has(warning.code)) return;
        warn(warning);
      },
    },
  },
  plugins: [reactRouter()],
});
