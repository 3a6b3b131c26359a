import { and, asc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { registrations } from "#db/schema/registration.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { accessScope } from "../access/audience.ts";
import { countryName } from "../accounts/countries.ts";
import { ForbiddenError } from "../errors.ts";
import { CATEGORY_LABELS } from "#app/shared/registration.ts";
import { badgeQrSvg, badgeToken } from "./badges.ts";
import { requireSeatedRegistration } from "./registrations.ts";
import { registrationContext } from "./settings.ts";

/** What an attendee with a seat gets: the badge and the participant directory. */

export async function getBadge(viewer: Viewer) {
  const { context, registration } = await requireSeatedRegistration(viewer);
  const token = badgeToken(registration.id);
  return {
    conference: { name: context.conference.name, startsOn: context.conference.startsOn, endsOn: context.conference.endsOn, city: context.conference.city },
    name: viewer.name,
    agency: registration.agency,
    category: CATEGORY_LABELS[registration.category],
    country: countryName(registration.country),
    token,
    qrSvg: await badgeQrSvg(token),
  };
}

/** Approved attendees who agreed to be listed: name, agency, country. For attendees of the conference and staff. */
export async function getDirectory(viewer: Viewer) {
  const context = await registrationContext();
  const scope = accessScope(viewer);
  if (!scope.staff && !scope.attending.includes(context.conference.id)) {
    throw new ForbiddenError("The participant directory is for attendees whose registration is approved.");
  }
  const rows = await getDb()
    .select({ name: users.name, agency: registrations.agency, country: registrations.country })
    .from(registrations)
    .innerJoin(users, eq(users.id, registrations.userId))
    .where(and(eq(registrations.conferenceId, context.conference.id), inArray(registrations.status, ["approved", "checked_in"]), eq(registrations.directoryConsent, true)))
    .orderBy(asc(users.name), asc(registrations.id));
  return { conference: context.conference.name, people: rows.map((row) => ({ ...row, country: countryName(row.country) })) };
}
