import { data, redirect, type MetaFunction } from "react-router";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { clockOf, dayOf } from "#app/.server/agenda/time.ts";
import { InvalidError } from "#app/.server/errors.ts";
import { readFormData } from "#app/.server/http/forms.ts";
import { getSettings, saveSettings, SettingsFormSchema } from "#app/.server/registration/settings.ts";
import { CATEGORIES, CATEGORY_LABELS, fieldErrorsOf } from "#app/shared/registration.ts";
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
  const formData = await readFormData(request);
  const values: Values = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((value): value is string => typeof value === "string");
    values[key] = key === "membersOnlyCategories" ? all : (all[0] ?? "");
  }
  const parsed = SettingsFormSchema.safeParse(values);
  if (!parsed.success) return data({ errors: fieldErrorsOf(parsed.error) as Partial<Record<string, string[]>>, values }, { status: 400 });
  try {
    const { promoted } = await saveSettings({ ...viewer, ip: context.ip }, parsed.data, { link: (path) => siteUrl(request, path) });
    throw redirect(`/admin/registrations/settings?done=saved&promoted=${promoted}`);
  } catch (error) {
    if (error instanceof InvalidError) return data({ errors: error.fieldErrors, values }, { status: 400 });
    throw error;
  }
}

export default function RegistrationSettings() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const values = result?.values ?? page.values;
  const errors = result?.errors;
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const membersOnly = new Set(Array.isArray(values.membersOnlyCategories) ? values.membersOnlyCategories : []);
  const promoted = Number(params.get("promoted") ?? 0);
  return (
    <section className="prose">
      <p>
        <Link to="/admin/registrations">← Registrations</Link>
      </p>
      <h1>Registration settings for {page.conference.name}</h1>
      {params.get("done") === "saved" ? (
        <p className="notice success" role="status">
          Saved.{promoted > 0 ? ` ${promoted} ${promoted === 1 ? "person" : "people"} moved from the waitlist onto the new seats.` : ""}
        </p>
      ) : null}
      {errors ? (
        <p className="notice error" role="alert">
          The settings were not saved: see the messages below.
        </p>
      ) : null}
      <FormErrors errors={errors} />
      <Form method="post" className="form">
        <SelectField
          name="state"
          label="Registration"
          errors={errors}
          defaultValue={text("state")}
          options={[
            { value: "not_open", label: "Not open yet" },
            { value: "open", label: "Open (between the dates below)" },
            { value: "closed", label: "Closed" },
          ]}
        />
        <Field name="opensOn" type="date" label="Opens on" hint="Optional. A day at the venue." errors={errors} defaultValue={text("opensOn")} />
        <Field name="closesOn" type="date" label="Closes after" hint="Optional. The last day to register." errors={errors} defaultValue={text("closesOn")} />
        <Field name="capacity" inputMode="numeric" label="Seats" hint={`Leave empty for no limit. ${page.seatsTaken} are given or held by invitations; new seats go to the waitlist at once.`} errors={errors} defaultValue={text("capacity")} />
        <Field name="changeDeadline" type="datetime-local" label="Attendees may change or cancel until" hint={`Venue time (${page.conference.timeZone}). Empty: until the conference starts.`} errors={errors} defaultValue={text("changeDeadline")} />
        <SelectField
          name="approval"
          label="Approval"
          errors={errors}
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
          {errors?.membersOnlyCategories ? <p className="field-error">{errors.membersOnlyCategories.join(" ")}</p> : null}
        </fieldset>
        <SubmitButton>Save the settings</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
