import { describe, expect, it } from "vitest";
import { startPeriodicJobs } from "./runner.ts";

describe("periodic jobs", () => {
  it("runs each job every tick, or no more often than its everyMs, and keeps going when one fails", async () => {
    const runs = { often: 0, rare: 0, failing: 0 };
    const stop = startPeriodicJobs(
      [
        {
          name: "failing",
          run: async () => {
            runs.failing++;
            throw new Error("boom");
          },
        },
        { name: "often", run: async () => void runs.often++ },
        { name: "rare", everyMs: 60_000, run: async () => void runs.rare++ },
      ],
      { intervalMs: 20 },
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await stop();
    expect(runs.often).toBeGreaterThanOrEqual(3);
    expect(runs.failing).toBe(runs.often);
    expect(runs.rare).toBe(1);
  });

  it("runs nothing after stop", async () => {
    let runs = 0;
    const stop = startPeriodicJobs([{ name: "count", run: async () => void runs++ }], { intervalMs: 10 });
    await stop();
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(after);
  });
});
