import { afterEach, describe, expect, it } from "vitest";
import { config, installConfig, readConfig } from "../config.ts";
import { siteUrl } from "./site-url.ts";

const original = config();
afterEach(() => installConfig(original));

describe("links in mail", () => {
  it("use PUBLIC_URL whatever Host the request names", () => {
    installConfig(readConfig({ PUBLIC_URL: "https://liaison.example" }));
    expect(siteUrl(new Request("http://evil.example/forgot-password"), "/reset-password?token=x")).toBe("https://liaison.example/reset-password?token=x");
  });

  it("use the request's origin without PUBLIC_URL only on a loopback address", () => {
    installConfig(readConfig({}));
    expect(siteUrl(new Request("http://localhost:4321/signup"), "/verify-email")).toBe("http://localhost:4321/verify-email");
    expect(siteUrl(new Request("http://127.0.0.1:4321/signup"), "/verify-email")).toBe("http://127.0.0.1:4321/verify-email");
    expect(() => siteUrl(new Request("http://evil.example/forgot-password"), "/reset-password")).toThrow(/PUBLIC_URL/);
  });
});
