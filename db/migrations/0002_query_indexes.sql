DROP INDEX "audit_log_action_idx";--> statement-breakpoint
DROP INDEX "audit_log_actor_idx";--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject_type","subject_id","id");--> statement-breakpoint
CREATE INDEX "vetting_applications_user_idx" ON "vetting_applications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "vetting_vouches_voucher_idx" ON "vetting_vouches" USING btree ("voucher_id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","id");