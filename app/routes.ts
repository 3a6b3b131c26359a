import { index, route, type RouteConfig } from "@react-router/dev/routes";

/** Every URL of the site, in one place. */
export default [
  index("routes/home.tsx"),
  route("pages/:slug", "routes/content-page.tsx"),
  route("agenda", "routes/coming-soon.tsx", { id: "agenda" }),
  route("register", "routes/coming-soon.tsx", { id: "register" }),
  route("speakers", "routes/coming-soon.tsx", { id: "speakers" }),

  // Sign-up and sign-in
  route("signup", "routes/auth/signup.tsx"),
  route("login", "routes/auth/login.tsx"),
  route("login/mfa", "routes/auth/login-mfa.tsx"),
  route("logout", "routes/auth/logout.tsx"),
  route("verify-email", "routes/auth/verify-email.tsx"),
  route("forgot-password", "routes/auth/forgot-password.tsx"),
  route("reset-password", "routes/auth/reset-password.tsx"),

  // One's own account
  route("account", "routes/account/profile.tsx"),
  route("account/security", "routes/account/security.tsx"),
  route("account/email/confirm", "routes/account/confirm-email.tsx"),
  route("account/mfa", "routes/account/mfa.tsx"),
  route("account/export", "routes/account/export.tsx"),
  route("account/delete", "routes/account/delete.tsx"),

  // Vetting and the members' area
  route("vetting", "routes/vetting/apply.tsx"),
  route("vetting/verify", "routes/vetting/verify-official-email.tsx"),
  route("members", "routes/members/directory.tsx"),
  route("members/vouch", "routes/members/vouch.tsx"),
  route("forum", "routes/forum/index.tsx"),

  // Organizers and admins
  route("admin", "routes/admin/dashboard.tsx"),
  route("admin/vetting", "routes/admin/vetting-queue.tsx"),
  route("admin/vetting/:applicationId", "routes/admin/vetting-application.tsx"),
  route("admin/allowlist", "routes/admin/allowlist.tsx"),
  route("admin/members", "routes/admin/members.tsx"),
  route("admin/users", "routes/admin/users.tsx"),
  route("admin/groups", "routes/admin/groups.tsx"),
  route("admin/groups/:groupId", "routes/admin/group.tsx"),
  route("admin/audit", "routes/admin/audit.tsx"),
  route("admin/outbox", "routes/admin/outbox.tsx"),

  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
