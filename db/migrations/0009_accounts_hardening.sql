ALTER TABLE "vetting_vouches" DROP CONSTRAINT "vetting_vouches_voucher_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "vetting_vouches" DROP CONSTRAINT "vetting_vouches_application_id_voucher_id_pk";--> statement-breakpoint
ALTER TABLE "vetting_vouches" ALTER COLUMN "voucher_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "user_id" uuid;--> statement-breakpoint
ALTER TABLE "vetting_vouches" ADD COLUMN "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vetting_vouches" ADD CONSTRAINT "vetting_vouches_voucher_id_users_id_fk" FOREIGN KEY ("voucher_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Links that raced before this index existed: keep the newest unused one per account and purpose.
DELETE FROM "user_tokens" t USING "user_tokens" newer
  WHERE t.used_at IS NULL AND newer.used_at IS NULL AND newer.user_id = t.user_id AND newer.purpose = t.purpose
    AND (newer.created_at, newer.id) > (t.created_at, t.id);--> statement-breakpoint
-- Mail already sent belonged to whoever held the address then; the best guess for old rows is its holder now.
UPDATE "mail_outbox" m SET user_id = u.id FROM "users" u WHERE u.email = m.to_address;--> statement-breakpoint
CREATE UNIQUE INDEX "user_tokens_one_unused_per_purpose" ON "user_tokens" USING btree ("user_id","purpose") WHERE "user_tokens"."used_at" is null;--> statement-breakpoint
CREATE INDEX "mail_outbox_user_idx" ON "mail_outbox" USING btree ("user_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "vetting_vouches_one_per_voucher" ON "vetting_vouches" USING btree ("application_id","voucher_id");