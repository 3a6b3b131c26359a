import { afterEach, describe, expect, it } from "vitest";
import { clearSessionCookie, readSessionToken, sessionCookieFor } from "./accounts/cookies.ts";
import { config, installConfig, readConfig } from "./config.ts";

const original = config();
afterEach(() => installConfig(original));

describe("configuration", () => {
  it("runs on the embedded database with the demo by default", () => {
    const cfg = readConfig({});
    expect(cfg.database).toMatchObject({ kind: "pglite" });
    expect(cfg.seedDemo).toBe(true);
    expect(cfg.secureCookies).toBe(false);
  });

  it("seeds a production build only when asked", () => {
    expect(readConfig({ NODE_ENV: "production" }).seedDemo).toBe(false);
    expect(readConfig({ NODE_ENV: "production", SEED_DEMO: "1" }).seedDemo).toBe(true);
  });

  it("never seeds demo accounts on a server unless asked", () => {
    expect(readConfig({ DATABASE_URL: "postgres://db/liaison" }).seedDemo).toBe(false);
    expect(readConfig({ DATABASE_URL: "postgres://db/liaison", SEED_DEMO: "1" }).seedDemo).toBe(true);
  });

  it("bounds forms at 64 KiB and uploads at 100 MiB unless configured", () => {
    expect(readConfig({}).limits).toEqual({ formBytes: 64 * 1024, uploadBytes: 100 * 1024 * 1024 });
    expect(readConfig({ FORM_MAX_BYTES: "16384", UPLOAD_MAX_BYTES: "2097152" }).limits).toEqual({ formBytes: 16384, uploadBytes: 2097152 });
    expect(() => readConfig({ FORM_MAX_BYTES: "lots" })).toThrow(/FORM_MAX_BYTES/);
  });

  it("writes short log lines and prints mail on demo and development sites, JSON lines elsewhere", () => {
    expect(readConfig({ NODE_ENV: "development" })).toMatchObject({ logFormat: "pretty", demoOrDevelopment: true });
    expect(readConfig({ NODE_ENV: "production", SEED_DEMO: "1" })).toMatchObject({ logFormat: "pretty", demoOrDevelopment: true });
    expect(readConfig({ NODE_ENV: "production" })).toMatchObject({ logFormat: "json", demoOrDevelopment: false });
    expect(readConfig({ NODE_ENV: "production", SEED_DEMO: "1", LOG_FORMAT: "json" }).logFormat).toBe("json");
  });

  it("names the variable and the problem when a value is wrong", () => {
    expect(() => readConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => readConfig({ PUBLIC_URL: "not a url" })).toThrow(/PUBLIC_URL/);
  });

  it("uses a Secure __Host- cookie when the site is served over https", () => {
    installConfig(readConfig({ PUBLIC_URL: "https://liaison.example" }));
    const token = "abcdefghijklmnopqrstuvwxyz234567";
    const cookie = sessionCookieFor(token, true);
    expect(cookie).toMatch(/^__Host-liaison_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
    expect(readSessionToken(`__Host-liaison_session=${token}`)).toBe(token);
    expect(readSessionToken(`liaison_session=${token}`)).toBeNull();
    expect(clearSessionCookie()).toMatch(/Max-Age=0/);
  });

  it("uses a plain cookie over http, where browsers refuse Secure ones", () => {
    installConfig(readConfig({ PUBLIC_URL: "http://localhost:3000" }));
    expect(sessionCookieFor("abcdefghijklmnopqrstuvwxyz234567", true)).toMatch(/^liaison_session=.*HttpOnly; SameSite=Lax$/);
    // An attendee's cookie outlives the browser as long as the idle limit; a privileged one does not.
    expect(sessionCookieFor("abcdefghijklmnopqrstuvwxyz234567", false)).toMatch(/Max-Age=2592000/);
  });
});
