import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirectoryInUseError, lockDataDirectory } from "./client.ts";

const dirs: string[] = [];
const releases: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const release of releases.splice(0)) await release();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-lock-"));
  dirs.push(dir);
  return dir;
}

/** A lock left behind as a crashed process leaves it: fresh, and signed by `pid` on `host`. */
function leftBehind(dir: string, owner: { pid: number; host: string }): void {
  fs.mkdirSync(path.join(dir, ".liaison.lock"));
  fs.writeFileSync(path.join(dir, ".liaison.lock", "owner.json"), JSON.stringify(owner));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("the embedded database's lock", () => {
  it("takes over at once a fresh lock whose owner process is dead", async () => {
    const dir = dataDir();
    leftBehind(dir, { pid: deadPid(), host: os.hostname() });
    releases.push(await lockDataDirectory(dir));
    const owner = JSON.parse(fs.readFileSync(path.join(dir, ".liaison.lock", "owner.json"), "utf8"));
    expect(owner).toEqual({ pid: process.pid, host: os.hostname() });
  });

  it("refuses a lock whose owner is alive, or on another host, or not yet signed", async () => {
    const alive = dataDir();
    // This test's parent (the vitest main process) is alive and is not this process.
    leftBehind(alive, { pid: process.ppid, host: os.hostname() });
    await expect(lockDataDirectory(alive)).rejects.toBeInstanceOf(DataDirectoryInUseError);

    const elsewhere = dataDir();
    leftBehind(elsewhere, { pid: deadPid(), host: "another-host.invalid" });
    await expect(lockDataDirectory(elsewhere)).rejects.toBeInstanceOf(DataDirectoryInUseError);

    const unsigned = dataDir();
    fs.mkdirSync(path.join(unsigned, ".liaison.lock"));
    await expect(lockDataDirectory(unsigned)).rejects.toBeInstanceOf(DataDirectoryInUseError);
  });

  it("keeps the lock through its refreshes (signing it does not make it look taken over)", { timeout: 15_000 }, async () => {
    const dir = dataDir();
    const compromised: Error[] = [];
    // A 2 s threshold refreshes every second; three refreshes pass.
    releases.push(await lockDataDirectory(dir, { staleMs: 2_000, onCompromised: (error) => compromised.push(error) }));
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(compromised).toEqual([]);
  });

  it("removes the lock, owner and all, on release", async () => {
    const dir = dataDir();
    const release = await lockDataDirectory(dir);
    await release();
    expect(fs.existsSync(path.join(dir, ".liaison.lock"))).toBe(false);
  });
});
