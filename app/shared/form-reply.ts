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
