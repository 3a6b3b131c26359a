import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Form } from "react-router";
import { Field, SelectField, TextareaField } from "#app/components/forms.tsx";
import { CATEGORY_LABELS, CATEGORIES, fieldErrorsOf, REGISTRATION_LIMITS, RegistrationFormSchema, valuesOf, type RegistrationValues } from "#app/shared/registration.ts";

type Errors = Partial<Record<string, string[]>> | undefined;

const FIELD_LABELS: Record<string, string> = {
  category: "Category",
  agency: "Agency or organisation",
  jobTitle: "Job title",
  country: "Country",
  arrivalOn: "Arrival",
  departureOn: "Departure",
  dietaryNeeds: "Dietary needs",
  accessibilityNeeds: "Accessibility needs",
};

/** The errors of a refused form, listed at the top and focused, each linking to its field. */
export function ErrorSummary({ errors, idPrefix }: { errors: Errors; idPrefix: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const fields = Object.entries(errors ?? {}).filter(([, messages]) => messages?.length);
  useEffect(() => {
    if (fields.length > 0) ref.current?.focus();
  }, [errors, fields.length]);
  if (fields.length === 0) return null;
  return (
    <div className="notice error" role="alert" tabIndex={-1} ref={ref} aria-labelledby={`${idPrefix}-summary-title`}>
      <h2 id={`${idPrefix}-summary-title`}>Please check the form</h2>
      <ul>
        {fields.map(([field, messages]) => (
          <li key={field}>{field in FIELD_LABELS ? <a href={`#${idPrefix}-${field}`}>{messages!.join(" ")}</a> : messages!.join(" ")}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The registration form, for a new registration and for changing one. The browser checks it with the same schema as
 * the server before sending; without JavaScript the server's answer shows the same messages and keeps what was typed.
 */
export function RegistrationFormFields({
  intent,
  submit,
  values,
  errors,
  countries,
  dates,
  invitation,
}: {
  intent: "register" | "update";
  /** The submit button, with the form's intent (in the route module, where the access matrix reads intents). */
  submit: ReactNode;
  values: RegistrationValues;
  errors: Errors;
  countries: { value: string; label: string }[];
  dates: { min: string; max: string };
  invitation?: string | null;
}) {
  const [clientErrors, setClientErrors] = useState<Errors>(undefined);
  const shown = clientErrors ?? errors;
  const idPrefix = `registration-${intent}`;
  function check(event: FormEvent<HTMLFormElement>) {
    const parsed = RegistrationFormSchema.safeParse(valuesOf(new FormData(event.currentTarget)));
    if (parsed.success) {
      setClientErrors(undefined);
      return;
    }
    event.preventDefault();
    setClientErrors(fieldErrorsOf(parsed.error));
  }
  const id = (field: string) => `${idPrefix}-${field}`;
  return (
    <Form method="post" className="form" noValidate onSubmit={check}>
      <ErrorSummary errors={shown} idPrefix={idPrefix} />
      {invitation ? <input type="hidden" name="invitation" value={invitation} /> : null}
      <SelectField
        id={id("category")}
        name="category"
        label={FIELD_LABELS.category}
        errors={shown?.category}
        required
        defaultValue={values.category ?? ""}
        options={[{ value: "", label: "Choose…" }, ...CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))]}
      />
      <Field id={id("agency")} name="agency" label={FIELD_LABELS.agency} errors={shown?.agency} required maxLength={REGISTRATION_LIMITS.agency} defaultValue={values.agency ?? ""} autoComplete="organization" dir="auto" />
      <Field id={id("jobTitle")} name="jobTitle" label={FIELD_LABELS.jobTitle} errors={shown?.jobTitle} required maxLength={REGISTRATION_LIMITS.jobTitle} defaultValue={values.jobTitle ?? ""} autoComplete="organization-title" dir="auto" />
      <SelectField id={id("country")} name="country" label={FIELD_LABELS.country} errors={shown?.country} required defaultValue={values.country ?? ""} options={[{ value: "", label: "Choose…" }, ...countries]} />
      <Field id={id("arrivalOn")} name="arrivalOn" type="date" label={FIELD_LABELS.arrivalOn} errors={shown?.arrivalOn} required min={dates.min} max={dates.max} defaultValue={values.arrivalOn ?? ""} />
      <Field id={id("departureOn")} name="departureOn" type="date" label={FIELD_LABELS.departureOn} errors={shown?.departureOn} required min={dates.min} max={dates.max} defaultValue={values.departureOn ?? ""} />
      <TextareaField id={id("dietaryNeeds")} name="dietaryNeeds" label={FIELD_LABELS.dietaryNeeds} hint="Optional. For the caterers." errors={shown?.dietaryNeeds} maxLength={REGISTRATION_LIMITS.needs} rows={2} defaultValue={values.dietaryNeeds ?? ""} dir="auto" />
      <TextareaField id={id("accessibilityNeeds")} name="accessibilityNeeds" label={FIELD_LABELS.accessibilityNeeds} hint="Optional. Seating, access, interpretation: whatever helps." errors={shown?.accessibilityNeeds} maxLength={REGISTRATION_LIMITS.needs} rows={2} defaultValue={values.accessibilityNeeds ?? ""} dir="auto" />
      <div className="field checkbox">
        <input id={id("directoryConsent")} type="checkbox" name="directoryConsent" defaultChecked={values.directoryConsent === "on"} />
        <label htmlFor={id("directoryConsent")}>List me in the participant directory (name, agency and country, seen by approved attendees only)</label>
      </div>
      {submit}
    </Form>
  );
}
