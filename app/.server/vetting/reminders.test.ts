import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { membershipReminderJob, sendMembershipReminders } from "./reminders.ts";
import { mailsTo } from "#tests/factories/vetting.ts";

async function memberEndingIn(days: number, traits: ("verified" | "member" | "suspended")[] = ["verified", "member"]) {
  const user = await createUser({ traits });
  await getDb()
    .update(users)
    .set({ memberUntil: sql`now() + make_interval(days => ${days})` })
    .where(eq(users.id, user.id));
  return user;
}

describe("membership reminders", () => {
  it("mails each member once per term, even when run twice or by two instances at once", async () => {
    const soon = await memberEndingIn(10);
    const later = await memberEndingIn(200);
    const gone = await memberEndingIn(-1);
    const suspended = await memberEndingIn(5, ["verified", "member", "suspended"]);

    await Promise.all([sendMembershipReminders(), sendMembershipReminders()]);
    await sendMembershipReminders();
    await membershipReminderJob.run({}, { id: "test", attempt: 1, lastAttempt: true, signal: new AbortController().signal });

    const mails = await mailsTo(soon.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/^Your Liaison membership ends on /);
    expect(mails[0]?.textBody).toContain("/vetting");
    for (const other of [later, gone, suspended]) expect(await mailsTo(other.email)).toHaveLength(0);
    const [stored] = await getDb().select().from(users).where(eq(users.id, soon.id));
    expect(stored?.membershipReminderSentAt).toBeInstanceOf(Date);
  });

  it("reminds again in the next term, when the membership has moved on", async () => {
    const member = await memberEndingIn(10);
    await sendMembershipReminders();
    // Renewed: the old reminder lies before the new term's window.
    await getDb().update(users).set({ memberUntil: sql`now() + interval '20 days'`, membershipReminderSentAt: sql`now() - interval '400 days'` }).where(eq(users.id, member.id));
    await sendMembershipReminders();
    await sendMembershipReminders();
    expect(await mailsTo(member.email)).toHaveLength(2);
  });

  it("claims many members in batches", async () => {
    const many = await Promise.all(Array.from({ length: 130 }, () => memberEndingIn(15)));
    expect(await sendMembershipReminders()).toBe(130);
    expect(await sendMembershipReminders()).toBe(0);
    expect(await mailsTo(many[129]!.email)).toHaveLength(1);
  });
});
