import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { database, getDb } from "./client.ts";

/** Runs the statements as the application's role, in a transaction that is always rolled back. */
async function asAppRole(statement: ReturnType<typeof sql>): Promise<unknown> {
  class Rollback extends Error {}
  let outcome: unknown;
  try {
    await getDb().transaction(async (tx) => {
      await tx.execute(sql`set local role liaison_app`);
      try {
        outcome = await tx.execute(statement);
      } catch (error) {
        outcome = error;
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome;
}

function message(outcome: unknown): string {
  for (let current = outcome as { message?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (current.message && /permission denied|must be owner|append-only/.test(current.message)) return current.message;
  }
  return outcome instanceof Error ? outcome.message : "no error";
}

describe("the application's database role (issue 7, finding 12)", () => {
  beforeAll(async () => {
    const script = fs.readFileSync(path.join(import.meta.dirname, "app-role.sql"), "utf8");
    const { driver } = database();
    if (driver.kind === "pglite") await driver.client.exec(script);
    else await driver.client.unsafe(script);
  });

  it("adds and reads audit entries, and can neither change them nor drop the trigger that keeps them", async () => {
    expect(message(await asAppRole(sql`insert into audit_log (action) values ('auth.sign_out')`))).toBe("no error");
    expect(message(await asAppRole(sql`select count(*) from audit_log`))).toBe("no error");
    expect(message(await asAppRole(sql`update audit_log set action = 'x'`))).toMatch(/permission denied/);
    expect(message(await asAppRole(sql`delete from audit_log`))).toMatch(/permission denied/);
    expect(message(await asAppRole(sql`truncate audit_log`))).toMatch(/permission denied/);
    expect(message(await asAppRole(sql`drop trigger audit_log_append_only on audit_log`))).toMatch(/must be owner/);
    expect(message(await asAppRole(sql`alter table audit_log disable trigger audit_log_append_only`))).toMatch(/must be owner/);
  });

  it("does the work of the site: rows of accounts, throttles and the job queue", async () => {
    expect(message(await asAppRole(sql`insert into rate_limits (key, window_start, count) values ('role-test', now(), 1)`))).toBe("no error");
    expect(message(await asAppRole(sql`update users set updated_at = now() where false`))).toBe("no error");
    expect(message(await asAppRole(sql`delete from sessions where false`))).toBe("no error");
    expect(message(await asAppRole(sql`select count(*) from pgboss.job`))).toBe("no error");
    expect(message(await asAppRole(sql`select pgboss.create_queue('housekeeping', '{"policy":"standard"}'::json)`))).toBe("no error");
    expect(message(await asAppRole(sql`create table role_test_owned (id int)`))).toMatch(/permission denied/);
  });
});
