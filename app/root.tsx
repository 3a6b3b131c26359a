import { data, type LinksFunction, type MetaFunction } from "react-router";
import { useClientLinks } from "#app/components/client-links.tsx";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "react-router";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "./components/error-boundary.tsx";
import { useNonce } from "./components/request-context.tsx";
import { listFooterPages } from "./.server/content/pages.ts";
import { config } from "./.server/config.ts";
import stylesUrl from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Liaison" }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (context.databaseUnavailable) throw data("The database is out of reach.", { status: 503 });
  const viewer = context.viewer;
  return {
    viewer: viewer
      ? { name: viewer.name, staff: viewer.roles.some((role) => role === "organizer" || role === "admin") }
      : null,
    pendingMfa: context.pendingMfa !== null,
    notice: context.notice ?? null,
    organizersEmail: config().organizersEmail,
    // The shell must render even when the database does not answer, so that the error page can.
    footerPages: await listFooterPages().catch(() => []),
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

export function useRootData(): RootData | undefined {
  return useRouteLoaderData<typeof loader>("root");
}

function SiteHeader() {
  const data = useRootData();
  const viewer = data?.viewer;
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="site-header__inner">
        <Link to="/" className="brand">
          Liaison
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            <li>
              <NavLink to="/agenda">Agenda</NavLink>
            </li>
            <li>
              <NavLink to="/register">Register</NavLink>
            </li>
            <li>
              <NavLink to="/speakers">Speakers</NavLink>
            </li>
            <li>
              <NavLink to="/forum">Forum</NavLink>
            </li>
            {viewer?.staff ? (
              <li>
                <NavLink to="/admin">Admin</NavLink>
              </li>
            ) : null}
            {viewer ? (
              <>
                <li>
                  <NavLink to="/account">Account</NavLink>
                </li>
                <li>
                  <Form method="post" action="/logout" className="inline-form">
                    <button type="submit" className="link-button">
                      Sign out
                    </button>
                  </Form>
                </li>
              </>
            ) : (
              <li>
                <NavLink to={data?.pendingMfa ? "/login/mfa" : "/login"}>Sign in</NavLink>
              </li>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}

/** The one-time notice a redirect left (http/notice.ts), announced when it appears. */
function PageNotice() {
  const notice = useRootData()?.notice;
  return notice ? (
    <p className="notice success" role="status">
      {notice}
    </p>
  ) : null;
}

function SiteFooter() {
  const data = useRootData();
  return (
    <footer className="site-footer">
      <nav aria-label="About">
        <ul className="footer-list">
          {(data?.footerPages ?? []).map((page) => (
            <li key={page.slug}>
              <Link to={`/pages/${page.slug}`}>{page.title}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <p>
        Liaison: a portal for interagency conferences and collaboration. Write to the organizers at{" "}
        {data ? <a href={`mailto:${data.organizersEmail}`}>{data.organizersEmail}</a> : "the address in your registration mail"}.
      </p>
    </footer>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <SiteHeader />
        <main id="main" className="site-main">
          <PageNotice />
          {children}
        </main>
        <SiteFooter />
        <ScrollRestoration nonce={nonce || undefined} />
        <Scripts nonce={nonce || undefined} />
      </body>
    </html>
  );
}

export default function App() {
  useClientLinks();
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
