import { sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { authThrottle, rateLimits } from "#db/schema/throttle.ts";
import { sessions, userTokens } from "#db/schema/accounts.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { z } from "zod";
import { flushRefusalCounts } from "../audit/refusals.ts";
import { config } from "../config.ts";
import { defineJob } from "./define.ts";

/** Deletes what can no longer be used or is past its retention: expired sessions, spent links, old mail and counters. */
export async function sweepExpired(): Promise<void> {
  const { attendee } = config().sessions;
  const db = getDb();
  await db
    .delete(sessions)
    .where(
      sql`${sessions.lastSeenAt} < now() - make_interval(secs => ${attendee.idleSeconds}) or ${sessions.createdAt} < now() - make_interval(secs => ${attendee.absoluteSeconds})`,
    );
  await db.delete(userTokens).where(sql`${userTokens.expiresAt} < now() - interval '7 days'`);
  // content/pages/data-handling.md promises this retention.
  await db.delete(mailOutbox).where(sql`${mailOutbox.status} in ('sent', 'failed') and ${mailOutbox.createdAt} < now() - interval '90 days'`);
  await db.transaction((tx) => flushRefusalCounts(tx));
  await db.delete(rateLimits).where(sql`${rateLimits.windowStart} < now() - interval '2 days'`);
  await db
    .delete(authThrottle)
    .where(sql`${authThrottle.lastFailureAt} < now() - interval '30 days' and (${authThrottle.lockedUntil} is null or ${authThrottle.lockedUntil} < now())`);
}

/** Every quarter of an hour, on one instance. A failed sweep is simply done again by the next one. */
export const housekeepingJob = defineJob({
  name: "housekeeping",
  payload: z.object({}),
  everySeconds: 15 * 60,
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  timeoutSeconds: 600,
  run: sweepExpired,
});
