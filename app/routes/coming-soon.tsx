import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import type { MetaFunction } from "react-router";
import { useMatches } from "react-router";

const TITLES: Record<string, { title: string; body: string }> = {
  agenda: { title: "Agenda", body: "The program of tracks, rooms, sessions and speakers will be published here." },
  register: { title: "Register", body: "Conference registration opens here soon. Create an account now to be ready." },
  speakers: { title: "Speakers", body: "Speakers and their materials will be listed here." },
};

export const meta: MetaFunction = ({ matches }) => {
  const id = matches[matches.length - 1]?.id ?? "";
  return [{ title: `${TITLES[id]?.title ?? "Coming soon"} · Liaison` }];
};

export default function ComingSoon() {
  const matches = useMatches();
  const page = TITLES[matches[matches.length - 1]?.id ?? ""] ?? { title: "Coming soon", body: "" };
  return (
    <section className="prose">
      <h1>{page.title}</h1>
      <p>{page.body}</p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
