-- Mail waiting in the outbox gets its delivery job (app/.server/mail/delivery.ts), which now schedules retries.
SELECT pgboss.create_queue('mail.deliver', '{"policy": "standard", "retryLimit": 7, "retryDelay": 30, "retryBackoff": true, "expireInSeconds": 180}');--> statement-breakpoint
INSERT INTO pgboss.job (name, data, retry_limit, retry_delay, retry_backoff, expire_in, policy)
SELECT 'mail.deliver', jsonb_build_object('mailId', "id"), 7, 30, true, interval '180 seconds', 'standard'
FROM "mail_outbox" WHERE "status" = 'pending';--> statement-breakpoint
DROP INDEX "mail_outbox_due_idx";--> statement-breakpoint
ALTER TABLE "mail_outbox" DROP COLUMN "next_attempt_at";--> statement-breakpoint
ALTER TABLE "mail_outbox" DROP COLUMN "locked_until";
