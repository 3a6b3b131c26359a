CREATE TABLE "calendar_feeds" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "conferences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"venue" text NOT NULL,
	"city" text NOT NULL,
	"time_zone" text NOT NULL,
	"registration_state" text DEFAULT 'not_open' NOT NULL,
	"registration_opens_on" date,
	"registration_closes_on" date,
	"organizer_email" text NOT NULL,
	"description_html" text DEFAULT '' NOT NULL,
	"current" boolean DEFAULT false NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"program_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conferences_dates_ordered" CHECK ("conferences"."ends_on" >= "conferences"."starts_on"),
	CONSTRAINT "conferences_registration_state_known" CHECK ("conferences"."registration_state" in ('not_open', 'open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "program_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "program_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conference_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"details" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_changes_kind_known" CHECK ("program_changes"."kind" in ('moved', 'cancelled', 'reinstated'))
);
--> statement-breakpoint
CREATE TABLE "program_imports" (
	"source" text PRIMARY KEY NOT NULL,
	"content_hash" text NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conference_id" uuid NOT NULL,
	"source_key" text,
	"creation_key" uuid,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"abstract" text DEFAULT '' NOT NULL,
	"abstract_html" text DEFAULT '' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"room_id" uuid,
	"track_id" uuid,
	"capacity" integer,
	"audience" text DEFAULT 'public' NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', abstract), 'B')) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_sessions_times_ordered" CHECK ("program_sessions"."ends_at" > "program_sessions"."starts_at"),
	CONSTRAINT "program_sessions_capacity_positive" CHECK ("program_sessions"."capacity" is null or "program_sessions"."capacity" > 0),
	CONSTRAINT "program_sessions_type_known" CHECK ("program_sessions"."type" in ('plenary', 'panel', 'breakout', 'workshop', 'networking', 'break')),
	CONSTRAINT "program_sessions_audience_known" CHECK ("program_sessions"."audience" in ('public', 'attendees', 'members')),
	CONSTRAINT "program_sessions_status_known" CHECK ("program_sessions"."status" in ('scheduled', 'moved', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conference_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"capacity" integer,
	"position" integer NOT NULL,
	CONSTRAINT "rooms_capacity_positive" CHECK ("rooms"."capacity" is null or "rooms"."capacity" > 0)
);
--> statement-breakpoint
CREATE TABLE "session_speakers" (
	"session_id" uuid NOT NULL,
	"speaker_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"during" "tstzrange",
	CONSTRAINT "session_speakers_session_id_speaker_id_pk" PRIMARY KEY("session_id","speaker_id")
);
--> statement-breakpoint
CREATE TABLE "session_stars" (
	"user_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_stars_user_id_session_id_pk" PRIMARY KEY("user_id","session_id")
);
--> statement-breakpoint
CREATE TABLE "speakers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"agency" text NOT NULL,
	"title" text NOT NULL,
	"bio_html" text DEFAULT '' NOT NULL,
	"photo_path" text,
	"user_id" uuid,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || agency || ' ' || title)) STORED,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conference_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"colour" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "tracks_colour_hex" CHECK ("tracks"."colour" ~ '^#[0-9a-f]{6}$')
);
--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_changes" ADD CONSTRAINT "program_changes_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_changes" ADD CONSTRAINT "program_changes_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "public"."tracks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_speakers" ADD CONSTRAINT "session_speakers_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_speakers" ADD CONSTRAINT "session_speakers_speaker_id_speakers_id_fk" FOREIGN KEY ("speaker_id") REFERENCES "public"."speakers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_stars" ADD CONSTRAINT "session_stars_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_stars" ADD CONSTRAINT "session_stars_session_id_program_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."program_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speakers" ADD CONSTRAINT "speakers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracks" ADD CONSTRAINT "tracks_conference_id_conferences_id_fk" FOREIGN KEY ("conference_id") REFERENCES "public"."conferences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feeds_token_hash_key" ON "calendar_feeds" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "conferences_slug_key" ON "conferences" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "conferences_one_current" ON "conferences" USING btree ("current") WHERE "conferences"."current";--> statement-breakpoint
CREATE INDEX "program_changes_conference_idx" ON "program_changes" USING btree ("conference_id","id");--> statement-breakpoint
CREATE INDEX "program_changes_session_idx" ON "program_changes" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "program_sessions_source_key" ON "program_sessions" USING btree ("conference_id","source_key");--> statement-breakpoint
CREATE UNIQUE INDEX "program_sessions_creation_key" ON "program_sessions" USING btree ("creation_key");--> statement-breakpoint
CREATE INDEX "program_sessions_conference_start_idx" ON "program_sessions" USING btree ("conference_id","starts_at");--> statement-breakpoint
CREATE INDEX "program_sessions_search_idx" ON "program_sessions" USING gin ("search");--> statement-breakpoint
CREATE UNIQUE INDEX "rooms_conference_slug_key" ON "rooms" USING btree ("conference_id","slug");--> statement-breakpoint
CREATE INDEX "session_speakers_speaker_idx" ON "session_speakers" USING btree ("speaker_id");--> statement-breakpoint
CREATE INDEX "session_stars_session_idx" ON "session_stars" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "speakers_slug_key" ON "speakers" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "speakers_user_idx" ON "speakers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "speakers_search_idx" ON "speakers" USING gin ("search");--> statement-breakpoint
CREATE UNIQUE INDEX "tracks_conference_slug_key" ON "tracks" USING btree ("conference_id","slug");