/**
 * Links within the program that keep what the viewer chose: the time zone (`tz`) always, filters where given. The
 * zone lives in the URL rather than a cookie, so a page is the same for everyone who opens the same address.
 */
export function agendaHref(path: string, params: Record<string, string | null | undefined> = {}): string {
  if (!Object.values(params).some(Boolean)) return path;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

export const SESSION_TYPE_LABELS = {
  plenary: "Plenary",
  panel: "Panel",
  breakout: "Breakout",
  workshop: "Workshop",
  networking: "Networking",
  break: "Break",
} as const;

export const AUDIENCE_LABELS = { public: null, attendees: "Attendees only", members: "Members only" } as const;
export const STATUS_LABELS = { scheduled: null, moved: "Moved", cancelled: "Cancelled" } as const;
