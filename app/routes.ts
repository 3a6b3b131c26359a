import { index, route, type RouteConfig } from "@react-router/dev/routes";

/** Every URL of the site, in one place. */
export default [
  index("routes/home.tsx"),
  route("pages/:slug", "routes/content-page.tsx"),

  // Registration
  route("register", "routes/registration/register.tsx"),
  route("register/breakouts", "routes/registration/breakouts.tsx"),
  route("register/badge", "routes/registration/badge.tsx"),
  route("register/directory", "routes/registration/directory.tsx"),

  // The conference program
  route("agenda", "routes/agenda/index.tsx", { id: "agenda" }),
  route("conferences/:slug/agenda", "routes/agenda/index.tsx", { id: "edition-agenda" }),
  route("agenda/tracks/:slug", "routes/agenda/track.tsx"),
  route("agenda/sessions/:id", "routes/agenda/session.tsx"),
  route("agenda/changes", "routes/agenda/changes.tsx"),
  route("agenda/mine", "routes/agenda/mine.tsx"),
  route("agenda.ics", "routes/agenda/program-calendar.ts"),
  route("agenda/sessions/:id.ics", "routes/agenda/session-calendar.ts"),
  route("agenda/feed/:token.ics", "routes/agenda/personal-feed.ts"),
  route("agenda/schedule.json", "routes/agenda/schedule-json.ts"),
  route("agenda/tracks.css", "routes/agenda/track-styles.ts"),
  route("speakers", "routes/agenda/speakers.tsx"),
  route("speakers/:slug", "routes/agenda/speaker.tsx"),

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
  route("admin/users/:userId", "routes/admin/user.tsx"),
  route("admin/groups", "routes/admin/groups.tsx"),
  route("admin/groups/:groupId", "routes/admin/group.tsx"),
  route("admin/audit", "routes/admin/audit.tsx"),
  route("admin/outbox", "routes/admin/outbox.tsx"),
  route("admin/registrations", "routes/admin/registrations.tsx"),
  route("admin/registrations/settings", "routes/admin/registration-settings.tsx"),
  route("admin/registrations.csv", "routes/admin/registrations-csv.ts"),
  route("admin/check-in", "routes/admin/check-in.tsx"),
  route("admin/check-in/scans", "routes/admin/check-in-scans.ts"),
  route("admin/agenda", "routes/admin/agenda.tsx"),
  route("admin/agenda/sessions/new", "routes/admin/agenda-session-new.tsx"),
  route("admin/agenda/sessions/:id", "routes/admin/agenda-session.tsx"),

  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
