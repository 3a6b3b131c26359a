import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";

export const meta = errorAwareMeta(() => [{ title: "Page not found · Liaison" }]);

export function loader() {
  throw new Response("Not Found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
