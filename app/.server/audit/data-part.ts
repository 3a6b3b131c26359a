import { and, asc, eq, or } from "drizzle-orm";
import { auditLog } from "#db/schema/audit.ts";
import { dataPart } from "../data-rights/part.ts";

/** The audit log has no foreign keys: its entries outlive the account, the deletion's own entry included. */
export const auditDataPart = dataPart({
  name: "audit",
  tables: [auditLog],
  async export(tx, userId) {
    const entries = await tx
      .select({ at: auditLog.at, action: auditLog.action, actorId: auditLog.actorId, subjectType: auditLog.subjectType, subjectId: auditLog.subjectId, ip: auditLog.ip, details: auditLog.details })
      .from(auditLog)
      .where(or(eq(auditLog.actorId, userId), and(eq(auditLog.subjectType, "user"), eq(auditLog.subjectId, userId))))
      .orderBy(asc(auditLog.id));
    return {
      // Who else acted on the account, and from where, is the staff's information, not the user's.
      auditEntries: entries.map((entry) => (entry.actorId === userId ? { ...entry, byYou: true } : { ...entry, actorId: null, ip: null, byYou: false })),
    };
  },
});
