import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { auditLog } from "#db/schema/audit.ts";
import { domainAllowlist } from "#db/schema/vetting.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { addToAllowlist, domainOfEmail, entryCoversDomain, findAllowlistEntry, listAllowlist, removeFromAllowlist } from "./allowlist.ts";
import { DomainSchema } from "./schemas.ts";
import { actorFor } from "#tests/factories/vetting.ts";

describe("allowlist matching", () => {
  it("covers the domain itself and its subdomains, by whole labels only", () => {
    expect(entryCoversDomain("gov", "gov")).toBe(true);
    expect(entryCoversDomain("gov", "x.gov")).toBe(true);
    expect(entryCoversDomain("gov", "a.b.gov")).toBe(true);
    expect(entryCoversDomain("gov", "evilgov.com")).toBe(false);
    expect(entryCoversDomain("gov", "evilgov")).toBe(false);
    expect(entryCoversDomain("gov", "gov.evil.com")).toBe(false);
    expect(entryCoversDomain("europol.europa.eu", "europol.europa.eu")).toBe(true);
    expect(entryCoversDomain("europol.europa.eu", "it.europol.europa.eu")).toBe(true);
    expect(entryCoversDomain("europol.europa.eu", "europa.eu")).toBe(false);
    expect(entryCoversDomain("europol.europa.eu", "noteuropol.europa.eu")).toBe(false);
  });

  it("reads the domain of an address case-insensitively", () => {
    expect(domainOfEmail("Jane.Doe@CBP.DHS.GOV")).toBe("cbp.dhs.gov");
    expect(domainOfEmail("odd@name@police.uk.")).toBe("police.uk");
    expect(entryCoversDomain("GOV", domainOfEmail("x@Agency.Gov"))).toBe(true);
  });

  describe("against the stored allowlist", () => {
    beforeAll(async () => {
      await getDb().insert(domainAllowlist).values([{ domain: "gov" }, { domain: "europol.europa.eu" }, { domain: "police.uk" }]);
    });

    it("finds the entry covering an address", async () => {
      expect(await findAllowlistEntry("a@x.gov")).toBe("gov");
      expect(await findAllowlistEntry("a@A.B.GOV")).toBe("gov");
      expect(await findAllowlistEntry("a@europol.europa.eu")).toBe("europol.europa.eu");
      expect(await findAllowlistEntry("a@ops.europol.europa.eu")).toBe("europol.europa.eu");
      expect(await findAllowlistEntry("a@met.police.uk")).toBe("police.uk");
    });

    it("refuses look-alikes", async () => {
      expect(await findAllowlistEntry("a@evilgov.com")).toBeNull();
      expect(await findAllowlistEntry("a@gov.evil.com")).toBeNull();
      expect(await findAllowlistEntry("a@europa.eu")).toBeNull();
      expect(await findAllowlistEntry("a@fakepolice.uk")).toBeNull();
      expect(await findAllowlistEntry("a@x..gov")).toBeNull();
    });

    it("prefers the most specific entry", async () => {
      await getDb().insert(domainAllowlist).values({ domain: "dhs.gov" });
      expect(await findAllowlistEntry("a@cbp.dhs.gov")).toBe("dhs.gov");
    });
  });
});

describe("allowlist entries", () => {
  it("accepts bare domains and refuses schemes, addresses, wildcards and open domains", () => {
    expect(DomainSchema.parse(" Police.UK ")).toBe("police.uk");
    expect(DomainSchema.parse("gov")).toBe("gov");
    expect(DomainSchema.parse("xn--80ak6aa92e.com")).toBe("xn--80ak6aa92e.com");
    for (const bad of ["", "https://police.uk", "jane@police.uk", "*.gov", ".gov", "police.uk/path", "a..gov", "-gov", "gov-", "gmail.com", "com", "po lice.uk", "polícia.pt"]) {
      expect(DomainSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("adds and removes with an audit entry each, and a second click changes nothing", async () => {
    const organizer = actorFor(await createUser({ roles: ["organizer"] }));
    expect(await addToAllowlist(organizer, { domain: "interpol.int", note: "Interpol" }, null)).toBe("added");
    expect(await addToAllowlist(organizer, { domain: "interpol.int", note: "again" }, null)).toBe("exists");
    expect((await listAllowlist(organizer)).find((entry) => entry.domain === "interpol.int")?.note).toBe("Interpol");
    expect(await removeFromAllowlist(organizer, "interpol.int", null)).toBe("removed");
    expect(await removeFromAllowlist(organizer, "interpol.int", null)).toBe("absent");
    const entries = await getDb()
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.subjectType, "allowlist"), eq(auditLog.subjectId, "interpol.int")));
    expect(entries.map((entry) => entry.action).sort()).toEqual(["allowlist.added", "allowlist.removed"]);
  });

  it("is closed to those without the permission", async () => {
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    await expect(addToAllowlist(member, { domain: "evil.example", note: "" }, null)).rejects.toMatchObject({ status: 403 });
  });
});
