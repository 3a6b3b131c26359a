import { eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor } from "./client.ts";
import { domainAllowlist, groupMembers, groups, totpCredentials, users, type GrantedRole } from "./schema/index.ts";
import { hashPassword } from "#app/.server/accounts/passwords.ts";
import { seal } from "#app/.server/crypto/secret.ts";
import { DEMO_MFA_ROLES, demoTotpKeyBytes } from "./demo-totp.ts";

export type DemoAccount = { role: string; email: string; password: string; mfa: boolean };

/** Known to anyone who reads the README: seeded only on the embedded database, or when SEED_DEMO=1. */
export const DEMO_PASSWORD = "liaison-demo-passphrase";

const DEMO_USERS: { role: string; email: string; name: string; agency: string; jobTitle: string; country: string; roles: GrantedRole[]; member: boolean; verified: boolean }[] = [
  { role: "unverified", email: "unverified@demo.liaison.test", name: "Uma Unverified", agency: "Port Authority", jobTitle: "Analyst", country: "NL", roles: [], member: false, verified: false },
  { role: "attendee", email: "attendee@demo.liaison.test", name: "Ada Attendee", agency: "Postal Inspection Service", jobTitle: "Postal Inspector", country: "US", roles: [], member: false, verified: true },
  { role: "speaker", email: "speaker@demo.liaison.test", name: "Sam Speaker", agency: "Customs and Border Protection", jobTitle: "Targeting Officer", country: "US", roles: ["speaker"], member: false, verified: true },
  { role: "member", email: "member@demo.liaison.test", name: "Mira Member", agency: "Narcotics Control Bureau", jobTitle: "Intelligence Officer", country: "IN", roles: [], member: true, verified: true },
  { role: "moderator", email: "moderator@demo.liaison.test", name: "Moe Moderator", agency: "Office of the Narcotics Control Board", jobTitle: "Liaison Officer", country: "TH", roles: ["moderator"], member: true, verified: true },
  { role: "organizer", email: "organizer@demo.liaison.test", name: "Olga Organizer", agency: "Customs and Border Protection", jobTitle: "Conference Lead", country: "US", roles: ["organizer"], member: false, verified: true },
  { role: "admin", email: "admin@demo.liaison.test", name: "Abe Admin", agency: "Customs and Border Protection", jobTitle: "Systems Administrator", country: "US", roles: ["admin"], member: false, verified: true },
];

const DEMO_ALLOWLIST = [
  { domain: "gov", note: "United States federal, state and local government" },
  { domain: "mil", note: "United States military" },
  { domain: "europol.europa.eu", note: "Europol" },
  { domain: "gc.ca", note: "Government of Canada" },
  { domain: "gov.uk", note: "United Kingdom government" },
];

/** Adds the demo accounts and allowlist once; later calls change nothing and list the accounts again. */
export async function seedDemo(): Promise<DemoAccount[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await getDb().transaction(async (tx) => {
    for (const demo of DEMO_USERS) {
      await tx
        .insert(users)
        .values({
          email: demo.email,
          passwordHash,
          name: demo.name,
          agency: demo.agency,
          jobTitle: demo.jobTitle,
          country: demo.country,
          roles: demo.roles,
          emailVerifiedAt: demo.verified ? sql`now()` : null,
          memberUntil: demo.member ? sql`now() + interval '365 days'` : null,
        })
        .onConflictDoNothing({ target: users.email });
    }
    await tx.insert(domainAllowlist).values(DEMO_ALLOWLIST).onConflictDoNothing();
    await seedDemoGroup(tx);
    await seedDemoSecondFactor(tx);
  });
  return DEMO_USERS.map((demo) => ({ role: demo.role, email: demo.email, password: DEMO_PASSWORD, mfa: isMfaRole(demo.role) }));
}

function isMfaRole(role: string): boolean {
  return (DEMO_MFA_ROLES as readonly string[]).includes(role);
}

/**
 * The accounts whose role needs two factors come enrolled with the demo key (db/demo-totp.ts), so that a newcomer signs
 * in with `npm run demo:code -- <role>` instead of an authenticator app. An account that has enrolled a key of its own
 * keeps it.
 */
async function seedDemoSecondFactor(tx: Executor): Promise<void> {
  const emails = DEMO_USERS.filter((demo) => isMfaRole(demo.role)).map((demo) => demo.email);
  const accounts = await tx.select({ id: users.id }).from(users).where(inArray(users.email, emails));
  if (accounts.length === 0) return;
  const key = demoTotpKeyBytes();
  await tx
    .insert(totpCredentials)
    .values(accounts.map((account) => ({ userId: account.id, sealedKey: seal(key) })))
    .onConflictDoNothing();
}

/** An agency group that the demo attendee manages and the demo member belongs to: a newcomer can try managing one. */
async function seedDemoGroup(tx: Executor): Promise<void> {
  await tx.insert(groups).values({ kind: "agency", name: "Postal Inspection Service", slug: "postal-inspection-service" }).onConflictDoNothing();
  const [group] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.slug, "postal-inspection-service"));
  const people = [
    { email: "attendee@demo.liaison.test", role: "manager" as const },
    { email: "member@demo.liaison.test", role: "member" as const },
  ];
  for (const person of people) {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, person.email));
    if (!group || !user) continue;
    await tx.insert(groupMembers).values({ groupId: group.id, userId: user.id, role: person.role }).onConflictDoNothing();
  }
}
