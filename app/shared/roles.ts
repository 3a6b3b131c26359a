/** What each role is called on the page: every role a person can hold, granted or derived. */
export const ROLE_LABELS: Record<string, string> = {
  attendee: "Attendee",
  member: "Vetted member",
  speaker: "Speaker",
  moderator: "Moderator",
  organizer: "Organizer",
  admin: "Administrator",
};

/** What a granted role lets its holder do, for the admin who grants it. */
export const ROLE_POWERS: Record<string, string> = {
  speaker: "uploads slides and materials for their sessions",
  moderator: "moderates the discussion board",
  organizer: "decides vetting applications, keeps the allowlist, suspends members, edits the program and reads the outbox",
  admin: "can do everything, including granting roles and reading the audit log",
};
