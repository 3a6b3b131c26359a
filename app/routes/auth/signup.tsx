// Stub: this route is being written.
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";

export function loader() {
  throw new Response("Not Found", { status: 404 });
}

export default function Stub() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
