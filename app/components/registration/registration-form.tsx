import { Field, replyFor, SelectField, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import type { FormConstraints, FormReply } from "#app/shared/form-reply.ts";
import { CATEGORY_LABELS, CATEGORIES, RegistrationFormSchema, type RegistrationValues } from "#app/shared/registration.ts";

/**
 * The registration form, for a new registration and for changing one. Its schema checks it in the browser before it
 * is sent and on the server (which also knows the country list and the conference days); a refused form shows a
 * summary at the top and keeps what was typed, with or without JavaScript.
 */
export function RegistrationFormFields({
  intent,
  submitLabel,
  reply,
  defaults,
  constraints,
  countries,
  dates,
  invitation,
}: {
  intent: "register" | "update";
  submitLabel: string;
  reply: FormReply<unknown> | undefined;
  defaults: RegistrationValues;
  constraints: FormConstraints;
  countries: { value: string; label: string }[];
  dates: { min: string; max: string };
  invitation?: string | null;
}) {
  const mine = replyFor(reply, intent);
  // A checkbox has no value to show, only a state: the sent one after a refusal, else the registration's.
  const consent = mine?.status === "error" ? mine.values.directoryConsent === "on" : defaults.directoryConsent === "on";
  const consentId = `${intent}-directoryConsent`;
  return (
    <ValidatedForm reply={reply} intent={intent} constraints={constraints} defaults={defaults} clientSchema={RegistrationFormSchema}>
      {invitation ? <input type="hidden" name="invitation" value={invitation} /> : null}
      <SelectField
        name="category"
        label="Category"
        options={[{ value: "", label: "Choose…" }, ...CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))]}
      />
      <Field name="agency" label="Agency or organisation" autoComplete="organization" dir="auto" />
      <Field name="jobTitle" label="Job title" autoComplete="organization-title" dir="auto" />
      <SelectField name="country" label="Country" options={[{ value: "", label: "Choose…" }, ...countries]} />
      <Field name="arrivalOn" type="date" label="Arrival" min={dates.min} max={dates.max} />
      <Field name="departureOn" type="date" label="Departure" min={dates.min} max={dates.max} />
      <TextareaField name="dietaryNeeds" label="Dietary needs" hint="Optional. For the caterers." rows={2} />
      <TextareaField name="accessibilityNeeds" label="Accessibility needs" hint="Optional. Seating, access, interpretation: whatever helps." rows={2} />
      <div className="field checkbox">
        <input key={String(consent)} id={consentId} type="checkbox" name="directoryConsent" defaultChecked={consent} />
        <label htmlFor={consentId}>List me in the participant directory (name, agency and country, seen by approved attendees only)</label>
      </div>
      <SubmitButton>{submitLabel}</SubmitButton>
    </ValidatedForm>
  );
}
