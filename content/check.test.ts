import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "liaison-check-"));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "content/check.ts", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run content:check", () => {
  it("passes the shipped pages", async () => {
    expect(await check()).toEqual({ code: 0, stdout: "4 pages OK\n2 editions, 54 sessions, 26 speakers OK\n", stderr: "" });
  });

  it("prints each problem and exits 1", async () => {
    await fs.writeFile(path.join(dir, "ok.md"), "---\ntitle: OK\nsummary: Fine.\n---\nBody\n");
    await fs.writeFile(path.join(dir, "venue.md"), "---\nsummary: No title.\norder: first\n---\nBody\n");
    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `${path.join(dir, "venue.md")}: title: Required\n${path.join(dir, "venue.md")}: order: Must be a whole number\n`,
    );
  });
});
