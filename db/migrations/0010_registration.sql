CREATE TABLE "breakout_seats" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"seats_taken" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "breakout_seats_taken_not_negative" CHECK ("breakout_seats"."seats_taken" >= 0)
);
--> statement-breakpoint
CREATE TABLE "breakout_signups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"registration_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text NOT NULL,
	"waitlisted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "breakout_signups_status_known" CHECK ("breakout_signups"."status" in ('confirmed', 'waitlisted', 'cancelled')),
	CONSTRAINT "breakout_signups_waitlisted_queued" CHECK (("breakout_signups"."status" = 'waitlisted') = ("breakout_signups"."waitlisted_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "check_ins_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conference_id" uuid NOT NULL,
	"registration_id" uuid,
	"scan_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"scanned_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scanned_by" uuid,
	"offline" boolean DEFAULT false NOT NULL,
	CONSTRAINT "check_ins_outcome_known" CHECK ("check_ins"."outcome" in ('checked_in', 'duplicate', 'refused'))
);
--> statement-breakpoint
CREATE TABLE "registration_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conference_id" uuid NOT NULL,
	"email" text NOT NULL,
	"token_hash" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"invited_by" uuid,
	"registration_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone,
	CONSTRAINT "registration_invitations_status_known" CHECK ("registration_invitations"."status" in ('pending', 'accepted', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "registration_settings" (
	"conference_id" uuid PRIMARY KEY NOT NULL,
	"capacity" integer,
	"seats_taken" integer DEFAULT 0 NOT NULL,
	"change_deadline" timestamp with time zone,
	"approval" text DEFAULT 'manual' NOT NULL,
	"members_only_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registration_settings_capacity_positive" CHECK ("registration_settings"."capacity" is null or "registration_settings"."capacity" > 0),
	CONSTRAINT "registration_settings_seats_taken_not_negative" CHECK ("registration_settings"."seats_taken" >= 0),
	CONSTRAINT "registration_settings_approval_known" CHECK ("registration_settings"."approval" in ('manual', 'members', 'open'))
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conference_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text NOT NULL,
	"category" text NOT NULL,
	"agency" text NOT NULL,
	"job_title" text NOT NULL,
	"country" text NOT NULL,
	"arrival_on" date NOT NULL,
	"departure_on" date NOT NULL,
	"dietary_needs" text DEFAULT '' NOT NULL,
	"accessibility_needs" text DEFAULT '' NOT NULL,
	"directory_consent" boolean DEFAULT false NOT NULL,
	"waitlisted_at" timestamp with time zone,
	"decision_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"checked_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registrations_status_known" CHECK ("registrations"."status" in ('submitted', 'approved', 'waitlisted', 'declined', 'cancelled', 'checked_in')),
	CONSTRAINT "registrations_category_known" CHECK ("registrations"."category" in ('us_federal', 'state_local_tribal', 'international', 'private_sector')),
	CONSTRAINT "registrations_dates_ordered" CHECK ("registrations"."departure_on" >= "registrations"."arrival_on"),
	CONSTRAINT "registrations_waitlisted_queued" CHECK (("registrations"."status" = 'waitlisted') = ("registrations"."waitlisted_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "attachments" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "breakout_seats" ADD CONSTRAINT "breakout_seats_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakout_signups" ADD CONSTRAINT "breakout_signups_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakout_signups" ADD CONSTRAINT "breakout_signups_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakout_signups" ADD CONSTRAINT "breakout_signups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_scanned_by_users_id_fk" FOREIGN KEY ("scanned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registration_invitations" ADD CONSTRAINT "registration_invitations_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registration_invitations" ADD CONSTRAINT "registration_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registration_invitations" ADD CONSTRAINT "registration_invitations_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registration_settings" ADD CONSTRAINT "registration_settings_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "breakout_signups_session_user_key" ON "breakout_signups" USING btree ("session_id","user_id");--> statement-breakpoint
CREATE INDEX "breakout_signups_registration_idx" ON "breakout_signups" USING btree ("registration_id","status");--> statement-breakpoint
CREATE INDEX "breakout_signups_waitlist_idx" ON "breakout_signups" USING btree ("session_id","waitlisted_at") WHERE "breakout_signups"."status" = 'waitlisted';--> statement-breakpoint
CREATE UNIQUE INDEX "check_ins_scan_key" ON "check_ins" USING btree ("scan_id");--> statement-breakpoint
CREATE INDEX "check_ins_conference_idx" ON "check_ins" USING btree ("conference_id","id");--> statement-breakpoint
CREATE INDEX "check_ins_registration_idx" ON "check_ins" USING btree ("registration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "registration_invitations_token_key" ON "registration_invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "registration_invitations_pending_email_key" ON "registration_invitations" USING btree ("conference_id",lower("email")) WHERE "registration_invitations"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_conference_user_key" ON "registrations" USING btree ("conference_id","user_id");--> statement-breakpoint
CREATE INDEX "registrations_user_idx" ON "registrations" USING btree ("user_id","conference_id","status");--> statement-breakpoint
CREATE INDEX "registrations_waitlist_idx" ON "registrations" USING btree ("conference_id","waitlisted_at") WHERE "registrations"."status" = 'waitlisted';--> statement-breakpoint
CREATE INDEX "registrations_conference_status_idx" ON "registrations" USING btree ("conference_id","status");--> statement-breakpoint
-- Every conference and every session has its seat ledger row from the start, so a registration or a sign-up only
-- ever locks a row that exists.
INSERT INTO "registration_settings" ("conference_id") SELECT "id" FROM "conferences";
--> statement-breakpoint
INSERT INTO "breakout_seats" ("session_id") SELECT "id" FROM "program_sessions";
--> statement-breakpoint
CREATE FUNCTION conferences_make_registration_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registration_settings (conference_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER conferences_make_registration_settings AFTER INSERT ON conferences
  FOR EACH ROW EXECUTE FUNCTION conferences_make_registration_settings();
--> statement-breakpoint
CREATE FUNCTION program_sessions_make_breakout_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO breakout_seats (session_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER program_sessions_make_breakout_seats AFTER INSERT ON program_sessions
  FOR EACH ROW EXECUTE FUNCTION program_sessions_make_breakout_seats();
