import { desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { domainAllowlist } from "#db/schema/vetting.ts";
import { recordAudit } from "../audit/log.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";

/** The domain of an address, lowercased, without a trailing dot. */
export function domainOfEmail(email: string): string {
  return email
    .slice(email.lastIndexOf("@") + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, "");
}

/** "a.b.gov" → ["a.b.gov", "b.gov", "gov"]: every entry that may cover the domain, whole labels only. */
export function domainSuffixes(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, "").split(".");
  if (labels.some((label) => label === "")) return [];
  return labels.map((_, index) => labels.slice(index).join("."));
}

/** Whether an allowlist entry covers a domain: the domain itself or one of its subdomains, never part of a label. */
export function entryCoversDomain(entry: string, domain: string): boolean {
  return domainSuffixes(domain).includes(entry.toLowerCase());
}

/** The most specific allowlist entry covering the address's domain, or null. */
export async function findAllowlistEntry(email: string, tx: Executor = getDb()): Promise<string | null> {
  const candidates = domainSuffixes(domainOfEmail(email));
  if (candidates.length === 0) return null;
  const [match] = await tx
    .select({ domain: domainAllowlist.domain })
    .from(domainAllowlist)
    .where(inArray(domainAllowlist.domain, candidates))
    .orderBy(desc(sql`length(${domainAllowlist.domain})`))
    .limit(1);
  return match?.domain ?? null;
}

export async function listAllowlist(actor: Actor) {
  assertPermission(actor, "manage:allowlist");
  return getDb()
    .select({ domain: domainAllowlist.domain, note: domainAllowlist.note, createdAt: domainAllowlist.createdAt, addedBy: users.name })
    .from(domainAllowlist)
    .leftJoin(users, eq(users.id, domainAllowlist.addedById))
    .orderBy(domainAllowlist.domain);
}

/** Adds a domain; adding one that is already listed changes nothing ("exists"). */
export async function addToAllowlist(actor: Actor, input: { domain: string; note: string }, ip: string | null): Promise<"added" | "exists"> {
  assertPermission(actor, "manage:allowlist");
  return getDb().transaction(async (tx) => {
    const inserted = await tx
      .insert(domainAllowlist)
      .values({ domain: input.domain, note: input.note, addedById: actor.id })
      .onConflictDoNothing({ target: domainAllowlist.domain })
      .returning({ domain: domainAllowlist.domain });
    if (inserted.length === 0) return "exists";
    await recordAudit(
      { action: "allowlist.added", actorId: actor.id, subjectType: "allowlist", subjectId: input.domain, ip, details: { domain: input.domain, note: input.note } },
      tx,
    );
    return "added";
  });
}

/** Removes a domain; removing one that is not listed (a second click) changes nothing ("absent"). */
export async function removeFromAllowlist(actor: Actor, domain: string, ip: string | null): Promise<"removed" | "absent"> {
  assertPermission(actor, "manage:allowlist");
  return getDb().transaction(async (tx) => {
    const [removed] = await tx
      .delete(domainAllowlist)
      .where(eq(domainAllowlist.domain, domain))
      .returning({ domain: domainAllowlist.domain, note: domainAllowlist.note });
    if (!removed) return "absent";
    await recordAudit(
      { action: "allowlist.removed", actorId: actor.id, subjectType: "allowlist", subjectId: domain, ip, details: { domain, note: removed.note } },
      tx,
    );
    return "removed";
  });
}
