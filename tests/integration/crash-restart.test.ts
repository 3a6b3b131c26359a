import fs from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { spawnServer, tempDir, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";

const started: ServerProcess[] = [];

function processState(pid: number): "running" | "zombie" | "gone" {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X" ? "zombie" : "running";
  } catch {
    return "gone";
  }
}
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop(2_000)));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

test("after kill -9 the embedded database starts again at once, its dead owner's lock notwithstanding", { timeout: 120_000 }, async () => {
  const dataDir = tempDir("crash");
  dirs.push(dataDir);
  const first = await spawnServer({ dataDir });
  started.push(first);
  await waitForHealthy(first);
  const lockDir = path.join(dataDir, ".liaison.lock");
  const ownerPid = () => (JSON.parse(fs.readFileSync(path.join(lockDir, "owner.json"), "utf8")) as { pid: number }).pid;
  const crashed = ownerPid();

  // The whole process group, as the OOM killer or a power cut would: nothing gets to release the lock.
  process.kill(-first.child.pid!, "SIGKILL");
  expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
  // The group's leader is gone; the server under it may still be dying, and then waits as a zombie until init reaps it,
  // which on some machines takes long: a restart comes after the death, so wait for that much, no more.
  const deadline = Date.now() + 10_000;
  while (processState(crashed) === "running") {
    if (Date.now() > deadline) throw new Error(`process ${crashed} did not die`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(fs.existsSync(lockDir)).toBe(true);
  // Fresh enough that the lock library alone (stale after 60 s) would call it held.
  expect(Date.now() - fs.statSync(lockDir).mtimeMs).toBeLessThan(60_000);

  const second = await spawnServer({ dataDir });
  started.push(second);
  await waitForHealthy(second);
  expect(second.output()).not.toContain("already open in another process");
  // The lock is the new process's now.
  expect(ownerPid()).not.toBe(crashed);
  expect(() => process.kill(ownerPid(), 0)).not.toThrow();
});
