/** Shared by the vetting tests only. */
import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import type { User } from "#db/schema/accounts.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { deriveRoles, permissionsOf } from "../accounts/permissions.ts";
import type { Actor } from "../accounts/permissions.ts";
import type { RequestOrigin } from "../accounts/site-url.ts";
import { ApplySchema } from "./schemas.ts";

export const origin: RequestOrigin = { ip: "203.0.113.9", link: (path) => `http://liaison.test${path}` };

export function actorFor(user: User): Actor {
  return { id: user.id, permissions: permissionsOf(deriveRoles(user, new Date())) };
}

export function applyInput(overrides: Partial<Record<"agency" | "officialEmail" | "sponsorName" | "sponsorEmail" | "reason", string>> = {}) {
  return ApplySchema.parse({
    agency: "Postal Inspection Service",
    officialEmail: "ada.inspector@uspis.gov",
    sponsorName: "Sam Supervisor",
    sponsorEmail: "sam.supervisor@uspis.gov",
    reason: "I coordinate mail-fraud cases with partner agencies abroad.",
    ...overrides,
  });
}

export async function mailsTo(address: string) {
  return getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, address)).orderBy(mailOutbox.id);
}

export function tokenIn(text: string): string | undefined {
  return text.match(/token=([a-z2-7]{32})/)?.[1];
}
