import { eq, sql } from "drizzle-orm";
import type { Transaction } from "#db/client.ts";
import { conferences } from "#db/schema/agenda.ts";
import { bumpContentVersion } from "../content/version.ts";

/**
 * Every write to a program (the import, the editor) ends here, in its transaction: the edition's programVersion goes
 * up (the schedule export's version), and so does the site's content version, which keys the render cache of
 * anonymous pages. After the commit the writer calls `forgetContentVersion()` (content/version.ts), so that this
 * instance serves the new program from its next request on.
 */
export async function programChanged(tx: Transaction, conferenceId: string): Promise<void> {
  await tx
    .update(conferences)
    .set({ programVersion: sql`${conferences.programVersion} + 1`, updatedAt: sql`now()` })
    .where(eq(conferences.id, conferenceId));
  await bumpContentVersion(tx);
}
