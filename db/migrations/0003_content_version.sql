CREATE TABLE "content_version" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "content_version_single_row" CHECK ("content_version"."id")
);
--> statement-breakpoint
INSERT INTO "content_version" ("id", "version") VALUES (true, 1);
