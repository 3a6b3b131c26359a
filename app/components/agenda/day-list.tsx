import type { DaySessions } from "#app/.server/agenda/program.ts";
import { CLIENT_LINKS } from "#app/components/client-links.tsx";
import { SessionCard } from "./session-card.tsx";

/** Sessions by day, as a list (a track, a speaker, a personal agenda). */
export function DayList({ days, tz, level = 2, overlaps }: { days: DaySessions[]; tz: string | null; level?: 2 | 3; overlaps?: Record<string, string[]> }) {
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <>
      {days.map((day) => (
        <section key={day.day} aria-labelledby={`day-${day.day}`}>
          <Heading id={`day-${day.day}`}>{day.label}</Heading>
          <ul className="day-list" {...CLIENT_LINKS}>
            {day.sessions.map((session) => (
              <li key={session.id}>
                <SessionCard session={session} tz={tz} headingLevel={level === 2 ? 3 : 4} overlaps={overlaps?.[session.id]} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
