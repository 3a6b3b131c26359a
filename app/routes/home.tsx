import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import type { MetaFunction } from "react-router";
import { Link } from "react-router";
import { useRootData } from "#app/root.tsx";

/** Depends on published content only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export const meta: MetaFunction = () => [
  { title: "Liaison · Interagency conference and collaboration portal" },
  { name: "description", content: "Register, follow the agenda, take home the slides and keep talking afterwards." },
];

export default function Home() {
  const root = useRootData();
  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Liaison</h1>
        <p className="lead">
          The conference and collaboration portal for border, postal, drug-enforcement and police agencies: register for the
          week, follow the program, take home the speakers&rsquo; slides, and keep working together afterwards.
        </p>
        {root?.viewer ? (
          <p>
            Welcome back, {root.viewer.name}. <Link to="/account">Your account</Link>
          </p>
        ) : (
          <p className="actions">
            <Link className="button" to="/signup">
              Create an account
            </Link>
            <Link to="/login">Sign in</Link>
          </p>
        )}
      </section>
      <section className="cards" aria-label="What you can do here">
        <article className="card">
          <h2>
            <Link to="/agenda">Agenda</Link>
          </h2>
          <p>Tracks, rooms, sessions and speakers across the conference week, with your personal agenda.</p>
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
