import type { AppLoadContext } from "react-router";
import { can, requirePermission, requireVerifiedViewer } from "../accounts/guards.ts";
import type { Viewer } from "../accounts/sessions.ts";

/**
 * The guard of the group pages, which serve staff and each group's own managers. Staff pass the second factor
 * first, as on every staff page; which groups anyone else may manage, the domain functions decide per group.
 */
export function requireGroupsViewer(request: Request, context: AppLoadContext): Viewer {
  const viewer = requireVerifiedViewer(request, context);
  return can(viewer, "manage:groups") ? requirePermission(request, context, "manage:groups") : viewer;
}
