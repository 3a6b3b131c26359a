import type { MetaFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SelectField, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { clockOf, dayOf } from "#app/.server/agenda/time.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import { getSettings, saveSettings, SettingsFormSchema } from "#app/.server/registration/settings.ts";
import { CATEGORIES, CATEGORY_LABELS } from "#app/shared/registration.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta: MetaFunction = () => [{ title: "Registration settings · Admin · Liaison" }];

type Values = Record<string, string | string[]>;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:registrations");
  const { conference, settings } = await getSettings(viewer);
  const deadline = settings.changeDeadline;
  return {
    conference: { name: conference.name, timeZone: conference.timeZone.replace(/_/g, " ") },
    seatsTaken: settings.seatsTaken,
    values: {
      state: conference.registrationState,
      opensOn: conference.registrationOpensOn ?? "",
      closesOn: conference.registrationClosesOn ?? "",
      capacity: settings.capacity === null ? "" : String(settings.capacity),
      changeDeadline: deadline ? `${dayOf(deadline, conference.timeZone)}T${clockOf(deadline, conference.timeZone)}` : "",
      approval: settings.approval,
      membersOnlyCategories: settings.membersOnlyCategories,
    } as Values,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:registrations");
  return handleForm(request, SettingsFormSchema, async (input) => {
    const { promoted } = await saveSettings({ ...viewer, ip: context.ip }, input, { link: (path) => siteUrl(request, path) });
    throw redirectWithNotice("/admin/registrations/settings", promoted > 0 ? "registration-settings-promoted" : "registration-settings-saved");
  });
}

export default function RegistrationSettings() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const failed = reply?.status === "error" ? reply : null;
  const values: Values = failed?.values ?? page.values;
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const sentCategories = values.membersOnlyCategories;
  const membersOnly = new Set(Array.isArray(sentCategories) ? sentCategories : sentCategories ? [sentCategories] : []);
  const categoryErrors = failed?.errors.membersOnlyCategories;
  return (
    <section className="prose">
      <p>
        <Link to="/admin/registrations">← Registrations</Link>
      </p>
      <h1>Registration settings for {page.conference.name}</h1>
      <ValidatedForm reply={reply} defaults={Object.fromEntries(Object.entries(page.values).map(([key, value]) => [key, typeof value === "string" ? value : undefined]))}>
        <SelectField
          name="state"
          label="Registration"
          defaultValue={text("state")}
          options={[
            { value: "not_open", label: "Not open yet" },
            { value: "open", label: "Open (between the dates below)" },
            { value: "closed", label: "Closed" },
          ]}
        />
        <Field name="opensOn" type="date" label="Opens on" hint="Optional. A day at the venue." />
        <Field name="closesOn" type="date" label="Closes after" hint="Optional. The last day to register." />
        <Field name="capacity" inputMode="numeric" label="Seats" hint={`Leave empty for no limit. ${page.seatsTaken} are given or held by invitations; new seats go to the waitlist at once.`} />
        <Field name="changeDeadline" type="datetime-local" label="Attendees may change or cancel until" hint={`Venue time (${page.conference.timeZone}). Empty: until the conference starts.`} />
        <SelectField
          name="approval"
          label="Approval"
          defaultValue={text("approval")}
          options={[
            { value: "manual", label: "Organizers approve every registration" },
            { value: "members", label: "Vetted members are approved at once; others wait for the organizers" },
            { value: "open", label: "Everyone is approved at once while seats last" },
          ]}
        />
        <fieldset>
          <legend>Categories for vetted members only</legend>
          {CATEGORIES.map((category) => (
            <div className="field checkbox" key={category}>
              <input type="checkbox" id={`members-only-${category}`} name="membersOnlyCategories" value={category} defaultChecked={membersOnly.has(category)} />
              <label htmlFor={`members-only-${category}`}>{CATEGORY_LABELS[category]}</label>
            </div>
          ))}
          {categoryErrors ? <p className="field-error">{categoryErrors.join(" ")}</p> : null}
        </fieldset>
        <SubmitButton>Save the settings</SubmitButton>
      </ValidatedForm>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
