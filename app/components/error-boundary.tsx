import { isRouteErrorResponse, Link, useRouteError } from "react-router";
import { useRequestReference } from "./request-context.tsx";

const MESSAGES: Record<number, { title: string; body: string }> = {
  400: { title: "Bad request", body: "The request could not be understood. Check what you sent and try again." },
  403: { title: "Not allowed", body: "You do not have permission to see this page." },
  404: { title: "Page not found", body: "There is no page at this address, or you may not see it." },
  413: { title: "Too large", body: "What you sent is larger than we accept." },
  429: { title: "Too many requests", body: "Please wait a little and try again." },
  503: { title: "Temporarily unavailable", body: "The site cannot reach its database right now. Please try again in a minute." },
};

/** The one error page of the site: every route's ErrorBoundary delegates here. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const reference = useRequestReference();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const known = MESSAGES[status];
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" && error.data && status < 500 ? error.data : null;
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-page__status">{status}</p>
      <h1 id="error-title">{known?.title ?? "Something went wrong"}</h1>
      <p>{detail ?? known?.body ?? "An unexpected error occurred. It has been logged and we will look into it."}</p>
      {status >= 500 && reference ? (
        <p className="muted">
          Reference: <code id="request-reference">{reference}</code>
        </p>
      ) : null}
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </section>
  );
}
