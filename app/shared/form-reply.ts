import type { z } from "zod";

/** Messages per field name; `form` holds those about the whole form. */
export type FieldErrors = Partial<Record<string, string[]>>;

/** What was typed into a form, by field name, as the browser sent it. */
export type SubmittedValues = Record<string, string | string[]>;

/**
 * The one shape of a form's outcome, as an action returns it and the page reads it. `intent` names which of a
 * page's forms was sent (null when the page has one form), and `form` which copy of it when a table has one per
 * row, so that messages land on that form and no other.
 */
export type FormReply<D = null> =
  | { status: "success"; intent: string | null; form: string | null; notice: string | null; data: D }
  | { status: "error"; intent: string | null; form: string | null; errors: FieldErrors; values: SubmittedValues };

/** The hidden field that names one row's copy of a form. */
export const FORM_ID_FIELD = "_form";

/** Limits of one field, read from the form's zod schema on the server and applied as HTML attributes. */
export type FieldConstraint = { required?: boolean; minLength?: number; maxLength?: number; min?: number; max?: number };
export type FormConstraints = Record<string, FieldConstraint>;

/** What was typed, from the form's data as the browser sends it: a name sent more than once (checkboxes) gives a list. */
export function submittedValues(formData: FormData): SubmittedValues {
  const values: SubmittedValues = {};
  for (const [key, value] of formData) {
    if (typeof value !== "string") continue;
    const existing = values[key];
    values[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return values;
}

/** What zod says about a form, per field (`form` for the whole of it): the server's reply and the page's own check. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "form";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}
