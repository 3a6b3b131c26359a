import crypto from "node:crypto";
import { getDb } from "#db/client.ts";
import { groupMembers, groups, type Group, type GroupKind } from "#db/schema/access.ts";

/** A group with the given managers and members, written directly (no audit entries). */
export async function createGroup(
  options: { kind?: GroupKind; name?: string; managers?: { id: string }[]; members?: { id: string }[] } = {},
): Promise<Group> {
  const suffix = crypto.randomBytes(4).toString("hex");
  const [group] = await getDb()
    .insert(groups)
    .values({ kind: options.kind ?? "community", name: options.name ?? `Test group ${suffix}`, slug: `test-group-${suffix}` })
    .returning();
  const rows = [
    ...(options.managers ?? []).map((user) => ({ groupId: group!.id, userId: user.id, role: "manager" as const })),
    ...(options.members ?? []).map((user) => ({ groupId: group!.id, userId: user.id, role: "member" as const })),
  ];
  if (rows.length > 0) await getDb().insert(groupMembers).values(rows);
  return group!;
}
