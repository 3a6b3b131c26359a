-- A room or a speaker is never booked twice at the same time, however many organizers save at once: the database
-- refuses the overlap (btree_gist lets one GiST index hold the room or speaker with = and the time range with &&).
-- Deferrable, so that an import can swap two sessions and be checked as a whole at commit; the editor checks at once.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "program_sessions" ADD CONSTRAINT "program_sessions_room_not_double_booked"
  EXCLUDE USING gist ("room_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&)
  WHERE ("room_id" IS NOT NULL AND "status" <> 'cancelled') DEFERRABLE INITIALLY IMMEDIATE;
--> statement-breakpoint
-- session_speakers.during copies its session's time (null once cancelled), so the speakers' constraint can see it.
CREATE FUNCTION session_speakers_copy_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT CASE WHEN s.status = 'cancelled' THEN NULL ELSE tstzrange(s.starts_at, s.ends_at) END
    INTO NEW.during FROM program_sessions s WHERE s.id = NEW.session_id;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER session_speakers_copy_time BEFORE INSERT OR UPDATE ON session_speakers
  FOR EACH ROW EXECUTE FUNCTION session_speakers_copy_time();
--> statement-breakpoint
CREATE FUNCTION program_sessions_share_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE session_speakers
    SET during = CASE WHEN NEW.status = 'cancelled' THEN NULL ELSE tstzrange(NEW.starts_at, NEW.ends_at) END
    WHERE session_id = NEW.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER program_sessions_share_time AFTER UPDATE OF starts_at, ends_at, status ON program_sessions
  FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION program_sessions_share_time();
--> statement-breakpoint
ALTER TABLE "session_speakers" ADD CONSTRAINT "session_speakers_speaker_not_double_booked"
  EXCLUDE USING gist ("speaker_id" WITH =, "during" WITH &&) WHERE ("during" IS NOT NULL) DEFERRABLE INITIALLY IMMEDIATE;
