import { isRouteErrorResponse, Link, useLocation, useRouteError, useRouteLoaderData, type MetaFunction } from "react-router";
import type { ReactNode } from "react";
import { isMembersOnly, type MembersOnly } from "#app/shared/access-denied.ts";
import { useRequestReference } from "./request-context.tsx";

type Page = { title: string; body: string };

const PAGES: Record<number, Page> = {
  400: { title: "Something in the request was wrong", body: "The request could not be understood. Go back, check what you sent and try again." },
  403: { title: "You cannot open this page", body: "Your account does not have access to this page." },
  404: { title: "Page not found", body: "There is no page at this address. It may have moved, or the link may be mistyped." },
  405: { title: "Not possible here", body: "This address does not accept that kind of request." },
  409: { title: "This changed meanwhile", body: "Someone changed this at the same time. Reload the page and try again." },
  413: { title: "Too large", body: "What you sent is larger than we accept." },
  429: { title: "Too many requests", body: "Please wait a little and try again." },
  503: { title: "Temporarily unavailable", body: "The site cannot reach its database right now. Please try again in a minute." },
};

const UNEXPECTED: Page = { title: "Something went wrong", body: "An unexpected error occurred. It has been logged and we will look into it." };

function statusOf(error: unknown): number {
  return isRouteErrorResponse(error) ? error.status : 500;
}

/** The document title of an error page, for routes' meta functions. */
export function errorTitle(error: unknown): string {
  const status = statusOf(error);
  if (status === 403 && isRouteErrorResponse(error) && isMembersOnly(error.data)) return "For vetted members";
  return (PAGES[status] ?? UNEXPECTED).title;
}

/** Wraps a route's meta so that, when the route shows its error page instead, the title says what went wrong. */
export function errorAwareMeta<L = unknown>(meta: MetaFunction<L>): MetaFunction<L> {
  return (args) => (args.error ? [{ title: `${errorTitle(args.error)} · Liaison` }] : meta(args));
}

type RootShape = { viewer: { name: string } | null; organizersEmail?: string } | undefined;

function ContactOrganizers() {
  const root = useRouteLoaderData("root") as RootShape;
  const email = root?.organizersEmail;
  if (!email) return null;
  return (
    <p>
      Questions? Write to the organizers at <a href={`mailto:${email}`}>{email}</a>.
    </p>
  );
}

const APPLICATION_STATE: Record<NonNullable<MembersOnly["application"]>["status"], string> = {
  submitted: "Your application is with the organizers, who review applications in the order they arrive.",
  info_requested: "The organizers asked you a question about your application. Answer it on the vetting page so they can decide.",
  approved: "Your application was approved, but your membership is not current.",
  rejected: "Your last application was not approved. The vetting page shows the reason; you may apply again.",
  withdrawn: "You withdrew your last application. You may apply again.",
};

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** A signed-in viewer outside the members' area: why, where their application stands, and what to do next. */
function MembersOnlyExplanation({ denied }: { denied: MembersOnly }) {
  let next: ReactNode;
  if (!denied.verified) {
    next = (
      <p>
        First verify your email address: <Link to="/verify-email">get a new verification link</Link>. Then you can apply for vetting.
      </p>
    );
  } else if (denied.suspended) {
    next = <p>Your account is suspended, so it cannot enter the members&rsquo; area or apply for vetting.</p>;
  } else if (denied.application) {
    next = (
      <>
        <p>
          Your latest application, sent on {DAY.format(new Date(denied.application.submittedAt))}:{" "}
          <strong>{APPLICATION_STATE[denied.application.status]}</strong>
        </p>
        <p>
          <Link to="/vetting">See your application</Link>
        </p>
      </>
    );
  } else {
    next = (
      <p>
        {denied.expiredOn ? `Your membership ended on ${DAY.format(new Date(denied.expiredOn))}. ` : "You have not applied yet. "}
        <Link to="/vetting">Apply for vetting</Link>: you give your official address and a sponsor, and the organizers decide,
        usually within a few days.
      </p>
    );
  }
  return (
    <>
      <p>
        The discussion board and the member directory are open to vetted members: people whose agency and sponsor the organizers
        have checked.
      </p>
      {next}
    </>
  );
}

/** The page for an error status: one title and text per status, and what the viewer can do next. */
export function ErrorPage({ status, title, children }: { status: number; title: string; children: ReactNode }) {
  return (
    <section className="error-page prose" aria-labelledby="error-title">
      <p className="error-page__status">Error {status}</p>
      <h1 id="error-title">{title}</h1>
      {children}
    </section>
  );
}

/** The one error page of the site: the root's and every route's ErrorBoundary delegate here. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const reference = useRequestReference();
  const location = useLocation();
  const root = useRouteLoaderData("root") as RootShape;
  const status = statusOf(error);
  const page = PAGES[status] ?? UNEXPECTED;
  const data = isRouteErrorResponse(error) ? error.data : null;
  // A domain error's own message says more than the generic text, except for a bare "Not Found".
  const detail = typeof data === "string" && data && status < 500 && !/^(not found|forbidden)$/i.test(data) ? data : null;

  if (status === 403 && isMembersOnly(data)) {
    return (
      <ErrorPage status={403} title={errorTitle(error)}>
        <MembersOnlyExplanation denied={data} />
        <ContactOrganizers />
      </ErrorPage>
    );
  }
  return (
    <ErrorPage status={status} title={page.title}>
      <p>{detail ?? page.body}</p>
      {status === 403 ? (
        root?.viewer ? (
          <p>
            You are signed in as {root.viewer.name}. If you need this page for your work at the conference, ask the organizers for
            access.
          </p>
        ) : (
          <p>
            <Link to={`/login?${new URLSearchParams({ redirectTo: location.pathname })}`}>Sign in</Link> with an account that has
            access.
          </p>
        )
      ) : null}
      {status === 404 ? (
        <p>
          Try <Link to="/agenda">the agenda</Link> or <Link to="/speakers">the speakers</Link>, or start from the home page.
        </p>
      ) : null}
      {status >= 500 && reference ? (
        <p className="muted">
          Reference: <code id="request-reference">{reference}</code>
        </p>
      ) : null}
      {status === 403 || status >= 500 ? <ContactOrganizers /> : null}
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </ErrorPage>
  );
}
