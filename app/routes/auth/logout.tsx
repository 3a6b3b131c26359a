import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { invalidateSession } from "#app/.server/accounts/sessions.ts";
import { recordAudit } from "#app/.server/audit/log.ts";

export function loader() {
  throw redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  const viewer = context.viewer ?? context.pendingMfa;
  if (viewer) {
    await invalidateSession(viewer.session.id);
    await recordAudit({ action: "auth.sign_out", actorId: viewer.id, subjectType: "user", subjectId: viewer.id, ip: context.ip });
  }
  return redirect("/", { headers: { "Set-Cookie": clearSessionCookie() } });
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
