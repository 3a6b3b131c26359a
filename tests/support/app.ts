/**
 * The production server build, served in the test process on the database that tests/setup/database.ts opened,
 * and a cookie-keeping client that talks to it like a same-origin browser.
 */
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { syncContentPages } from "#app/.server/content/pages.ts";
import { createRequestListener } from "#app/.server/http/app.ts";

export type TestApp = {
  url: string;
  close(): Promise<void>;
  client(): TestClient;
};

const SERVER_BUILD = path.resolve("build/server/index.js");

export async function startTestApp(): Promise<TestApp> {
  if (!fs.existsSync(SERVER_BUILD)) {
    throw new Error(`No server build at ${SERVER_BUILD}: run \`npm run build\` before these tests.`);
  }
  const build = (await import(/* @vite-ignore */ pathToFileURL(SERVER_BUILD).href)) as ServerBuild;
  await syncContentPages(path.resolve("content/pages"));
  const listener = createRequestListener({ mode: "production", build, clientDir: path.resolve("build/client") }, { renderCache: true });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(listener).listen(0, "127.0.0.1", () => resolve(s)).once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    client: () => new TestClient(url),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type TestResponse = {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header of a redirect, or null. */
  location: string | null;
};

export type RequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | FormData;
  /** Sends the request as a page on another site would (Origin and Sec-Fetch-Site of https://evil.example). */
  crossSite?: boolean;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A same-origin browser in miniature: keeps cookies, sends Origin on unsafe requests, never follows redirects. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  last: TestResponse | undefined;

  constructor(readonly baseUrl: string) {}

  get status(): number {
    return this.response().status;
  }

  get headers(): Headers {
    return this.response().headers;
  }

  get text(): string {
    return this.response().text;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request(path, { headers });
  }

  /** A urlencoded form POST, as a plain HTML form sends it. */
  post(path: string, fields: Record<string, string>, options: Pick<RequestOptions, "crossSite" | "headers"> = {}): Promise<TestResponse> {
    return this.request(path, { ...options, method: "POST", body: new URLSearchParams(fields) });
  }

  /** Follows the Location of the last response with a GET. */
  follow(): Promise<TestResponse> {
    const location = this.response().location;
    if (!location) throw new Error(`The last response (${this.status}) was not a redirect.`);
    return this.get(location);
  }

  async request(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const method = (options.method ?? "GET").toUpperCase();
    const headers = new Headers(options.headers);
    // A caller that sets Origin itself speaks for the browser: neither header is added then.
    if (!SAFE_METHODS.has(method) && !headers.has("Origin")) {
      headers.set("Origin", options.crossSite ? "https://evil.example" : this.baseUrl);
      headers.set("Sec-Fetch-Site", options.crossSite ? "cross-site" : "same-origin");
    }
    if (this.cookies.size > 0 && !headers.has("Cookie")) {
      headers.set("Cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: options.body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) this.storeCookie(line);
    const text = await response.text();
    this.last = { status: response.status, headers: response.headers, text, location: response.headers.get("location") };
    return this.last;
  }

  private storeCookie(line: string): void {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expired = attributes.some((attribute) => {
      const [key = "", val = ""] = attribute.split("=", 2).map((part) => part.trim());
      if (key.toLowerCase() === "max-age") return Number(val) <= 0;
      if (key.toLowerCase() === "expires") return Date.parse(val) <= Date.now();
      return false;
    });
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  private response(): TestResponse {
    if (!this.last) throw new Error("No request has been made yet.");
    return this.last;
  }
}
