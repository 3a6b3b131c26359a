ALTER TABLE "program_changes" ADD COLUMN "mailed_at" timestamp with time zone;
--> statement-breakpoint
-- Changes recorded before this version were mailed in their own transaction.
UPDATE "program_changes" SET "mailed_at" = "at";
