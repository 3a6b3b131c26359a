import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { enqueueMail, type Mail } from "./outbox.ts";
import type { MailTransport } from "./transport.ts";
import { deliverDueMail } from "./worker.ts";

function recordingTransport(fail = false): MailTransport & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    name: "test",
    sent,
    send: async (mail) => {
      if (fail) throw new Error("SMTP said no");
      sent.push(mail);
    },
  };
}

describe("mail outbox", () => {
  it("keeps no mail of a change that rolled back", async () => {
    await expect(
      getDb().transaction(async (tx) => {
        await enqueueMail({ to: "rolled@back.example", subject: "s", text: "t" }, tx);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, "rolled@back.example"))).toHaveLength(0);
  });

  it("delivers each mail once, even with two workers at once", async () => {
    for (let i = 0; i < 30; i++) await enqueueMail({ to: `m${i}@once.example`, subject: `mail ${i}`, text: "hello" });
    const transport = recordingTransport();
    let total = 0;
    for (let round = 0; round < 3; round++) {
      const counts = await Promise.all([deliverDueMail(transport), deliverDueMail(transport)]);
      total += counts[0] + counts[1];
    }
    expect(total).toBe(30);
    expect(new Set(transport.sent.map((mail) => mail.to)).size).toBe(30);
    expect(transport.sent).toHaveLength(30);
    const rows = await getDb().select().from(mailOutbox).where(sql`${mailOutbox.toAddress} like '%@once.example'`);
    expect(rows.every((row) => row.status === "sent" && row.sentAt !== null && row.transport === "test")).toBe(true);
  });

  it("retries a failed mail later, with the error kept", async () => {
    await enqueueMail({ to: "retry@later.example", subject: "s", text: "t" });
    await deliverDueMail(recordingTransport(true));
    const [row] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, "retry@later.example"));
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "SMTP said no" });
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    // Not due yet: a working transport does not pick it up before its time.
    const transport = recordingTransport();
    await deliverDueMail(transport);
    expect(transport.sent.filter((mail) => mail.to === "retry@later.example")).toHaveLength(0);
    await getDb().update(mailOutbox).set({ nextAttemptAt: sql`now()` }).where(eq(mailOutbox.id, row!.id));
    await deliverDueMail(transport);
    expect(transport.sent.filter((mail) => mail.to === "retry@later.example")).toHaveLength(1);
  });

  it("gives up after eight attempts", async () => {
    await enqueueMail({ to: "never@works.example", subject: "s", text: "t" });
    const failing = recordingTransport(true);
    for (let attempt = 0; attempt < 8; attempt++) {
      await getDb().update(mailOutbox).set({ nextAttemptAt: sql`now()` }).where(eq(mailOutbox.toAddress, "never@works.example"));
      await deliverDueMail(failing);
    }
    const [row] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, "never@works.example"));
    expect(row).toMatchObject({ status: "failed", attempts: 8 });
  });
});
