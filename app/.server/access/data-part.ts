import { asc, eq } from "drizzle-orm";
import { groupMembers, groups } from "#db/schema/access.ts";
import { dataPart } from "../data-rights/part.ts";

/** The groups the account belongs to. A group it created stays, without its creator; memberships go with the user row. */
export const accessDataPart = dataPart({
  name: "access",
  tables: [groups, groupMembers],
  async export(tx, userId) {
    const memberships = await tx
      .select({ kind: groups.kind, name: groups.name, role: groupMembers.role, addedAt: groupMembers.addedAt })
      .from(groupMembers)
      .innerJoin(groups, eq(groups.id, groupMembers.groupId))
      .where(eq(groupMembers.userId, userId))
      .orderBy(asc(groups.name));
    return { groups: memberships };
  },
});
