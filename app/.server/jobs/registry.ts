import { passwordResetRequestJob } from "../accounts/password-reset.ts";
import { programChangeMailsJob } from "../agenda/changes.ts";
import { deliverMailJob } from "../mail/delivery.ts";
import { membershipReminderJob } from "../vetting/reminders.ts";
import type { AnyJobDefinition } from "./define.ts";
import { housekeepingJob } from "./housekeeping.ts";

/**
 * Every job of the site, in one place: start-up creates a queue for each (jobs/queue.ts) and works them
 * (jobs/worker.ts). A job that is not listed here cannot be enqueued.
 */
export const JOBS: readonly AnyJobDefinition[] = [deliverMailJob, housekeepingJob, membershipReminderJob, passwordResetRequestJob, programChangeMailsJob];
