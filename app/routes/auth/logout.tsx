import { redirect } from "react-router";
import type { ActionFunctionArgs } from "#app/shared/route-args.ts";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { signOut } from "#app/.server/accounts/sessions.ts";

export function loader() {
  throw redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  const viewer = context.viewer ?? context.pendingMfa;
  if (viewer) await signOut(viewer, context.ip);
  return redirect("/", { headers: { "Set-Cookie": clearSessionCookie() } });
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
