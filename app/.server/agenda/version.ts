import { eq, sql } from "drizzle-orm";
import type { Executor } from "#db/client.ts";
import { conferences } from "#db/schema/agenda.ts";

/**
 * Every write to a program (the import, the editor) ends here, in its transaction: the edition's programVersion goes
 * up, so anything keyed on it (caches of rendered pages, feed ETags) sees the change.
 */
export async function programChanged(tx: Executor, conferenceId: string): Promise<void> {
  await tx
    .update(conferences)
    .set({ programVersion: sql`${conferences.programVersion} + 1`, updatedAt: sql`now()` })
    .where(eq(conferences.id, conferenceId));
}
