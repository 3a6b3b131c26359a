import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { isCommonPassword, NewPasswordSchema } from "./passwords.ts";
import { SignUpSchema } from "./schemas.ts";
import { signUp, verifyEmail } from "./sign-up.ts";

const origin = { ip: "203.0.113.1", link: (path: string) => `http://liaison.test${path}` };
const input = (email: string) =>
  SignUpSchema.parse({ name: "Dana Doe", email, agency: "Border Force", jobTitle: "Officer", country: "GB", password: "a long enough passphrase" });

async function mailTo(address: string) {
  return getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
}

describe("sign-up", () => {
  it("creates an unverified account and mails a verification link", async () => {
    await signUp(input("Dana@Border.example"), origin);
    const [user] = await getDb().select().from(users).where(eq(users.email, "dana@border.example"));
    expect(user?.emailVerifiedAt).toBeNull();
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    const [mail] = await mailTo("dana@border.example");
    const token = mail!.textBody.match(/token=([a-z2-7]{32})/)?.[1];
    expect(token).toBeDefined();
    expect(await verifyEmail(token!, null)).toBe("verified");
    expect(await verifyEmail(token!, null)).toBe("invalid");
    const [verified] = await getDb().select().from(users).where(eq(users.id, user!.id));
    expect(verified?.emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("does not reveal a taken address: no new account, a warning mail instead", async () => {
    const existing = await createUser({ email: "taken@agency.example" });
    await signUp(input("taken@agency.example"), origin);
    const accounts = await getDb().select().from(users).where(eq(users.email, "taken@agency.example"));
    expect(accounts.map((account) => account.id)).toEqual([existing.id]);
    const [mail] = await mailTo("taken@agency.example");
    expect(mail?.subject).toMatch(/tried to create/);
    expect(mail?.textBody).not.toMatch(/token=/);
  });

  it("a double submit creates one account", async () => {
    await Promise.all([signUp(input("twice@agency.example"), origin), signUp(input("twice@agency.example"), origin)]);
    expect(await getDb().select().from(users).where(eq(users.email, "twice@agency.example"))).toHaveLength(1);
    expect(await getDb().select().from(mailOutbox).where(inArray(mailOutbox.toAddress, ["twice@agency.example"]))).toHaveLength(2);
  });

  it("a verification link for an old address does not verify a changed one", async () => {
    await signUp(input("old@agency.example"), origin);
    const [mail] = await mailTo("old@agency.example");
    const token = mail!.textBody.match(/token=([a-z2-7]{32})/)![1]!;
    await getDb().update(users).set({ email: "new@agency.example" }).where(eq(users.email, "old@agency.example"));
    expect(await verifyEmail(token, null)).toBe("invalid");
  });
});

describe("password rules", () => {
  it("asks for length, not composition, and refuses common passwords", () => {
    expect(NewPasswordSchema.safeParse("short").success).toBe(false);
    expect(NewPasswordSchema.safeParse("all lower case words").success).toBe(true);
    expect(NewPasswordSchema.safeParse("x".repeat(129)).success).toBe(false);
    expect(NewPasswordSchema.safeParse("x".repeat(64)).success).toBe(true);
    expect(isCommonPassword("qwerty123456")).toBe(true);
    expect(NewPasswordSchema.safeParse("1q2w3e4r5t6y").success).toBe(false);
  });
});
