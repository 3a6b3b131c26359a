import { z } from "zod";
import { searchTerm } from "../http/search.ts";

/** A query parameter that is text of sensible length, or absent: anything else is ignored, as GET parameters are. */
const param = (max: number) => z.string().max(max).optional().catch(undefined);

const AgendaQuerySchema = z.object({
  tz: param(64),
  day: param(10),
  track: param(64),
  type: param(20),
  q: param(400),
});

/** What a program page was asked for: zone, day, track, type and search term. */
export function parseAgendaQuery(params: URLSearchParams) {
  const parsed = AgendaQuerySchema.parse(Object.fromEntries(params));
  return {
    zone: parsed.tz ?? null,
    filters: { day: parsed.day ?? null, track: parsed.track ?? null, type: parsed.type ?? null, q: searchTerm(parsed.q ?? null) },
  };
}

export const SessionIdSchema = z.uuid();

export const StarSchema = z.object({
  intent: z.enum(["star", "unstar"], { error: "Choose to star or unstar the session." }),
});

export const FeedSchema = z.object({
  intent: z.enum(["create-feed", "revoke-feed"], { error: "Choose what to do with your calendar address." }),
});
