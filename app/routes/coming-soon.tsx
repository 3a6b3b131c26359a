import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Link, useMatches } from "react-router";

/** Pages that are not built yet: what will be here, and what a visitor can do meanwhile. */
const PAGES: Record<string, { title: string; body: string; next: { to: string; label: string }[] }> = {
  register: {
    title: "Register",
    body: "Online registration for the conference opens on this page soon. Until then, create an account (you will register with it) and plan your week in the program.",
    next: [
      { to: "/signup", label: "Create an account" },
      { to: "/agenda", label: "See the program" },
    ],
  },
};

export const meta = errorAwareMeta(({ matches }) => {
  const id = matches[matches.length - 1]?.id ?? "";
  return [{ title: `${PAGES[id]?.title ?? "Coming soon"} · Liaison` }];
});

export default function ComingSoon() {
  const matches = useMatches();
  const page = PAGES[matches[matches.length - 1]?.id ?? ""] ?? { title: "Coming soon", body: "", next: [{ to: "/", label: "Back to the home page" }] };
  return (
    <section className="prose">
      <h1>{page.title}</h1>
      <p>{page.body}</p>
      <p className="actions">
        {page.next.map((step, index) => (
          <Link key={step.to} className={index === 0 ? "button" : undefined} to={step.to}>
            {step.label}
          </Link>
        ))}
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
