-- The role the application runs as on a Postgres server: it reads and writes rows, and owns nothing.
-- Run it as the owner of the schema (the role that runs `npm run db:migrate`), after every migration that adds a
-- table:  psql "$OWNER_DATABASE_URL" -f db/app-role.sql
-- Then give the role a password and connect the site with it (README, "Running under its own database role").
--
-- Why: the owner of a table can drop its triggers. The audit log is append-only by a trigger, so the role the site
-- runs as must not own it; it may add entries and read them, never change, delete or truncate them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'liaison_app') THEN
    CREATE ROLE liaison_app NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public, pgboss, drizzle TO liaison_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO liaison_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM liaison_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO liaison_app;

-- The job queue's tables, and its functions (create_queue only inserts a row for a queue that already exists).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO liaison_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO liaison_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO liaison_app;

-- Which migrations ran, so that a start with DATABASE_MIGRATE=0 can be checked against it; never changed by the app.
GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO liaison_app;

-- Tables and sequences the owner creates later (a migration, a new job's queue) come with the same rights; the
-- audit log is the one table whose rights are narrower, and it exists already.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO liaison_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO liaison_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO liaison_app;
