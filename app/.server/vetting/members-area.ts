import { data, type AppLoadContext } from "react-router";
import type { MembersOnly } from "#app/shared/access-denied.ts";
import { can, requirePermission, requireViewer } from "../accounts/guards.ts";
import type { Permission } from "../accounts/permissions.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { getVettingOverview } from "./applications.ts";

/**
 * The guard of the members' area (board, directory). A signed-in viewer who is not a member gets a 403 that says
 * why and where their application stands, rather than a bare refusal or a redirect that bounces; the error page
 * renders it (components/error-boundary.tsx).
 */
export async function requireMembersArea(request: Request, context: AppLoadContext, permission: Extract<Permission, "read:forum" | "view:members">): Promise<Viewer> {
  const viewer = requireViewer(request, context);
  if (can(viewer, permission)) return requirePermission(request, context, permission);
  const denied: MembersOnly = { reason: "members_only", verified: viewer.emailVerified, suspended: false, expiredOn: null, application: null };
  if (viewer.emailVerified) {
    const overview = await getVettingOverview(viewer.id);
    denied.suspended = overview.suspended;
    denied.expiredOn = overview.expiredOn?.toISOString() ?? null;
    if (overview.application) {
      denied.application = { status: overview.application.status, submittedAt: overview.application.createdAt.toISOString() };
    }
  }
  throw data(denied, { status: 403 });
}
