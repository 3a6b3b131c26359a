import type { AppLoadContext } from "react-router";
import { can, requirePermission, requireVerifiedViewer } from "../accounts/guards.ts";
import type { Permission } from "../accounts/permissions.ts";
import type { Viewer } from "../accounts/sessions.ts";

/**
 * A viewer holding at least one of the permissions (403 otherwise). The check goes through requirePermission
 * for the first one held, so the second-factor rule applies exactly as on the pages behind it.
 */
export function requireAnyPermission(request: Request, context: AppLoadContext, permissions: readonly Permission[]): Viewer {
  const viewer = requireVerifiedViewer(request, context);
  const held = permissions.find((permission) => can(viewer, permission));
  if (!held) throw new Response("You do not have permission to see this page.", { status: 403 });
  return requirePermission(request, context, held);
}
