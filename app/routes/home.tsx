import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Link, useLoaderData } from "react-router";
import { useRootData } from "#app/root.tsx";
import { getConferenceAnnouncement, type Announcement } from "#app/.server/agenda/conferences.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [
  { title: data?.conference ? `${data.conference.name} · Liaison` : "Liaison · Interagency conference and collaboration portal" },
  {
    name: "description",
    content: data?.conference
      ? `${data.conference.name}, ${data.conference.dates}, ${data.conference.city}. Register, follow the program, keep working together afterwards.`
      : "Register, follow the agenda, take home the slides and keep talking afterwards.",
  },
]);

/** Depends on published content only (the current edition): anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader() {
  return { conference: await getConferenceAnnouncement() };
}

function NextSteps({ conference }: { conference: Announcement }) {
  const { registration } = conference;
  return (
    <>
      <p>
        {registration.state === "open"
          ? `Registration is open${registration.closes ? ` until ${registration.closes}` : ""}.`
          : registration.state === "not_open"
            ? `Registration opens${registration.opens ? ` on ${registration.opens}` : " soon"}.`
            : "Registration is closed."}{" "}
        {conference.programPublished ? "The program is published." : "The program will be published here."}
      </p>
      <p className="actions">
        {registration.state === "open" ? (
          <Link className="button" to="/register">
            Register for the conference
          </Link>
        ) : null}
        <Link className={registration.state === "open" ? undefined : "button"} to="/agenda">
          See the program
        </Link>
      </p>
    </>
  );
}

export default function Home() {
  const { conference } = useLoaderData<typeof loader>();
  const root = useRootData();
  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        {conference ? (
          <>
            <h1 id="hero-title">{conference.name}</h1>
            <p className="lead">
              <strong>{conference.dates}</strong> at {conference.venue}, {conference.city}. Times on this site are the venue&rsquo;s:{" "}
              {conference.zone}.
            </p>
            <NextSteps conference={conference} />
          </>
        ) : (
          <h1 id="hero-title">Liaison</h1>
        )}
        <p>
          Liaison is the conference and collaboration portal for border, postal, drug-enforcement and police agencies: register for the week,
          follow the program, take home the speakers&rsquo; slides, and keep working together afterwards.
        </p>
        {root?.viewer ? (
          <p>
            Welcome back, {root.viewer.name}. <Link to="/agenda/mine">Your agenda</Link> · <Link to="/account">Your account</Link>
          </p>
        ) : (
          <p className="actions">
            <Link to="/signup">Create an account</Link>
            <Link to="/login">Sign in</Link>
          </p>
        )}
        {conference ? (
          <p className="muted">
            Questions about the program: <a href={`mailto:${conference.organizerEmail}`}>{conference.organizerEmail}</a>
          </p>
        ) : null}
      </section>
      <section className="cards" aria-label="What you can do here">
        <article className="card">
          <h2>
            <Link to="/agenda">Program</Link>
          </h2>
          <p>Tracks, rooms, sessions and speakers across the conference week; star sessions to build your own agenda.</p>
        </article>
        <article className="card">
          <h2>
            <Link to="/register">Registration</Link>
          </h2>
          <p>Register online; organizers approve places, and limited breakouts keep a waitlist.</p>
        </article>
        <article className="card">
          <h2>
            <Link to="/forum">Discussion board</Link>
          </h2>
          <p>Vetted members of agencies continue the conversation: e-commerce trafficking, dark-web markets, pill presses.</p>
        </article>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
