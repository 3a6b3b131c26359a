import { describe, expect, it } from "vitest";
import { changeContent, perContentVersion } from "./version.ts";

describe("perContentVersion", () => {
  it("loads once per version, shares a burst, and loads again after a change on the next call", async () => {
    let loads = 0;
    const load = async () => ++loads;
    const burst = await Promise.all(Array.from({ length: 20 }, () => perContentVersion("test:burst", load)));
    expect(new Set(burst)).toEqual(new Set([1]));
    expect(await perContentVersion("test:burst", load)).toBe(1);

    await changeContent(async () => {});
    expect(await perContentVersion("test:burst", load)).toBe(2);
    expect(loads).toBe(2);
  });

  it("forgets a failed load, so the next call tries again", async () => {
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw new Error("database blinked");
      return "read";
    };
    await expect(perContentVersion("test:flaky", flaky)).rejects.toThrow("database blinked");
    expect(await perContentVersion("test:flaky", flaky)).toBe("read");
    expect(calls).toBe(2);
  });

  it("keeps keys apart", async () => {
    expect(await perContentVersion("test:a", async () => "a")).toBe("a");
    expect(await perContentVersion("test:b", async () => "b")).toBe("b");
    expect(await perContentVersion("test:a", async () => "not again")).toBe("a");
  });
});
