import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./guards.ts";

describe("safeRedirectPath", () => {
  it("keeps local paths with their query and fragment", () => {
    expect(safeRedirectPath("/forum?page=2#top")).toBe("/forum?page=2#top");
    expect(safeRedirectPath("/admin/vetting")).toBe("/admin/vetting");
  });

  it.each([
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example/x",
    "/\n/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    // Normalised, these become //evil.example/phish (issue 7, finding 1).
    "/.//evil.example/phish",
    "/..//evil.example/phish",
    "/a/..//evil.example/phish",
    "/%2e//evil.example/phish",
    "/%2E%2E//evil.example/phish",
    "/./\\evil.example",
    "/\u007f/evil.example",
  ])("sends %j to the fallback", (value) => {
    expect(safeRedirectPath(value, "/account")).toBe("/account");
  });

  it("sends the normalised path, which is the one it checked", () => {
    expect(safeRedirectPath("/agenda/../members?q=ann")).toBe("/members?q=ann");
    expect(safeRedirectPath("/a/./b")).toBe("/a/b");
  });

  it("ignores what is not a string", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(["/a"])).toBe("/");
  });
});
