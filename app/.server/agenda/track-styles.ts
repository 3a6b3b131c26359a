import { createHash } from "node:crypto";
import { asc } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { tracks } from "#db/schema/agenda.ts";
import { trackClass } from "#app/shared/track-colours.ts";
import { perContentVersion } from "../content/version.ts";

export type TrackStylesheet = { css: string; etag: string };

const HEX = /^#[0-9a-f]{6}$/;

/**
 * One rule per track colour of every edition, draft or published: a colour says nothing of a program, and an
 * organizer previewing a draft sees its colours too. Built once per content version; the ETag is the text's hash,
 * the same on every instance.
 */
export function trackStylesheet(): Promise<TrackStylesheet> {
  return perContentVersion("track-stylesheet", async () => {
    const rows = await getDb().selectDistinct({ colour: tracks.colour }).from(tracks).orderBy(asc(tracks.colour));
    // The table's check already holds colours to this form; the stylesheet does not trust it to.
    const css = rows
      .filter((row) => HEX.test(row.colour))
      .map((row) => `.${trackClass(row.colour)} { --track: ${row.colour}; }\n`)
      .join("");
    return { css, etag: `"${createHash("sha256").update(css).digest("base64url").slice(0, 22)}"` };
  });
}
