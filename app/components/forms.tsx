import { Form, useNavigation, type FormProps } from "react-router";
import {
  createContext,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type FormEvent,
  type InputHTMLAttributes,
  type MouseEvent,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import type { z } from "zod";
import {
  fieldErrorsOf,
  FORM_ID_FIELD,
  submittedValues,
  type FieldConstraint,
  type FieldErrors,
  type FormConstraints,
  type FormReply,
  type SubmittedValues,
} from "#app/shared/form-reply.ts";

/**
 * One form on a page: its id (field ids derive from it, so the error summary can link to them), the intent that
 * tells it from the page's other forms, its limits from the zod schema, and the reply to its last submission.
 */
type FormState = {
  id: string;
  intent: string | null;
  constraints: FormConstraints;
  errors: FieldErrors | null;
  values: SubmittedValues | null;
  defaults: Record<string, string | undefined>;
};

const FormContext = createContext<FormState | null>(null);

/** The reply if it answers this form (same intent, and the same row's copy when it has one), else undefined. */
export function replyFor<D>(reply: FormReply<D> | undefined, intent: string | null = null, rowForm: string | null = null): FormReply<D> | undefined {
  return reply && reply.intent === intent && reply.form === rowForm ? reply : undefined;
}

function fieldId(form: FormState | null, name: string, fallback: string): string {
  return form ? `${form.id}-${name}` : fallback;
}

type ValidatedFormProps = Omit<FormProps, "children" | "id"> & {
  /** Distinguishes this form's field ids from other forms' on the page; defaults to the intent. */
  id?: string;
  /** One row's copy of a form that a table repeats: sent along, so the reply comes back to this copy only. */
  row?: string;
  /** Sent as a hidden `intent` field: which of the page's forms this is. */
  intent?: string;
  reply: FormReply<unknown> | undefined;
  constraints?: FormConstraints;
  /** Values to show before anything was submitted (a profile's current name, say). */
  defaults?: Record<string, string | undefined>;
  /** Empties the fields after a successful submission (an "add" form), instead of keeping what was sent. */
  resetOnSuccess?: boolean;
  /** False when the page announces this form's success itself, because the form is gone after it (a removed row). */
  announce?: boolean;
  /** Shown above the fields, with the error summary. */
  intro?: ReactNode;
  /**
   * The form's schema, or the part of it that needs no server (a module of app/shared): checked in the browser before
   * sending, so a form it refuses is not sent and shows the messages the server's reply would. The server still checks.
   */
  clientSchema?: z.ZodType;
  children: ReactNode;
};

/**
 * A form built on the one server helper (`handleForm`): after a refused submission it shows an error summary at the
 * top (focused, each message linking to its field), keeps what was typed, marks the fields; after a success it
 * announces the notice. It is a plain POST form, so all of this works without JavaScript too. The browser's own
 * validation is off (the limits stay as attributes, for screen readers and maxlength): every message comes from the
 * form's zod schema and appears the same way, in the summary and at the field, whether the server refused the form or
 * the page did (`clientSchema`).
 */
export function ValidatedForm({
  id,
  row,
  intent,
  reply,
  constraints = {},
  defaults = {},
  resetOnSuccess,
  announce = true,
  intro,
  clientSchema,
  children,
  className,
  onSubmit,
  ...props
}: ValidatedFormProps) {
  const mine = replyFor(reply, intent ?? null, row ?? null);
  const formId = id ?? (row ? `${intent ?? "form"}-${row}` : (intent ?? "form"));
  const failed = mine?.status === "error" ? mine : null;
  // The page's own refusal, a new object each time, so the summary takes focus again on every refused submit.
  const [refused, setRefused] = useState<{ errors: FieldErrors } | null>(null);
  const errors = refused?.errors ?? failed?.errors ?? null;
  const notice = mine?.status === "success" && announce && !refused ? mine.notice : null;
  const state: FormState = {
    id: formId,
    intent: intent ?? null,
    constraints,
    errors,
    values: failed?.values ?? null,
    defaults,
  };
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (mine?.status === "success" && resetOnSuccess) formRef.current?.reset();
  }, [mine, resetOnSuccess]);
  const check = (event: FormEvent<HTMLFormElement>) => {
    onSubmit?.(event);
    if (!clientSchema || event.defaultPrevented) return;
    const sent = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    const result = clientSchema.safeParse(submittedValues(sent));
    if (result.success) {
      setRefused(null);
      return;
    }
    event.preventDefault();
    setRefused({ errors: fieldErrorsOf(result.error) });
  };
  return (
    <FormContext.Provider value={state}>
      <Form ref={formRef} method="post" className={className ?? "form"} noValidate onSubmit={check} {...props}>
        {notice ? (
          <p className="notice success" role="status">
            {notice}
          </p>
        ) : null}
        {errors ? <ErrorSummary errors={errors} formId={formId} reply={refused ?? mine} /> : null}
        {intro}
        {intent ? <input type="hidden" name="intent" value={intent} /> : null}
        {row ? <input type="hidden" name={FORM_ID_FIELD} value={row} /> : null}
        {children}
      </Form>
    </FormContext.Provider>
  );
}

/**
 * A summary link moves focus into its field, with the field's label in view. Without JavaScript the browser only
 * scrolls to the field; a fragment link does not focus an input by itself.
 */
function focusField(event: MouseEvent<HTMLAnchorElement>) {
  const id = event.currentTarget.hash.slice(1);
  const target = document.getElementById(id);
  if (!target) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`) ?? target;
  label.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
}

/**
 * The problems of a refused form, at its top: focused when it appears (so focus never drops to the page body), with
 * each field's message linking to that field.
 */
export function ErrorSummary({ errors, formId, reply }: { errors: FieldErrors; formId: string; reply?: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = `${formId}-problems`;
  useEffect(() => {
    ref.current?.focus();
  }, [reply]);
  const entries = Object.entries(errors).filter((entry): entry is [string, string[]] => Boolean(entry[1]?.length));
  if (entries.length === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby={titleId} tabIndex={-1} ref={ref}>
      <h2 id={titleId}>{entries.length === 1 && entries[0]![0] === "form" ? "This did not work" : "Check the form"}</h2>
      <ul>
        {entries.flatMap(([field, messages]) =>
          messages.map((message) => (
            <li key={`${field}:${message}`}>
              {field === "form" ? (
                message
              ) : (
                <a href={`#${formId}-${field}`} onClick={focusField}>
                  {message}
                </a>
              )}
            </li>
          )),
        )}
      </ul>
    </div>
  );
}

/** A success notice outside a form (after a redirect, say), announced by screen readers. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice success" role="status">
      {children}
    </p>
  );
}

type FieldProps = {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Outside a ValidatedForm, or to override: the messages for this field. */
  errors?: string[];
};

/** What a field takes from its form: id, limits, messages, and the value to show. */
function useField(name: string, explicitErrors: string[] | undefined, hint: unknown, explicitId?: string) {
  const fallbackId = useId();
  const form = useContext(FormContext);
  const id = explicitId ?? fieldId(form, name, fallbackId);
  const errors = explicitErrors ?? form?.errors?.[name];
  const constraint: FieldConstraint = form?.constraints[name] ?? {};
  const sent = form?.values?.[name];
  const value = form?.values ? (typeof sent === "string" ? sent : "") : form?.defaults[name];
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const attributes = {
    id,
    name,
    required: constraint.required || undefined,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": describedBy,
  };
  // A refused form keeps the values as typed: the key remounts the field so its default shows the sent value.
  const key = form?.values ? `sent:${value ?? ""}` : "initial";
  return { id, errors, constraint, value, attributes, key };
}

function FieldShell({ id, label, hint, errors, children }: { id: string; label: ReactNode; hint?: ReactNode; errors?: string[]; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
      {errors?.length ? (
        <p className="field-error" id={`${id}-error`}>
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function Field({ name, label, hint, errors, id, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const field = useField(name, errors, hint, id);
  const { constraint } = field;
  const keepsValue = input.type !== "password" && input.type !== "hidden";
  return (
    <FieldShell id={field.id} label={label} hint={hint} errors={field.errors}>
      <input
        key={field.key}
        {...field.attributes}
        minLength={constraint.minLength}
        maxLength={constraint.maxLength}
        min={constraint.min}
        max={constraint.max}
        defaultValue={keepsValue && input.defaultValue === undefined ? field.value : undefined}
        {...input}
      />
    </FieldShell>
  );
}

export function TextareaField({ name, label, hint, errors, id, ...textarea }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const field = useField(name, errors, hint, id);
  return (
    <FieldShell id={field.id} label={label} hint={hint} errors={field.errors}>
      <textarea
        key={field.key}
        {...field.attributes}
        dir="auto"
        minLength={field.constraint.minLength}
        maxLength={field.constraint.maxLength}
        defaultValue={textarea.defaultValue === undefined ? field.value : undefined}
        {...textarea}
      />
    </FieldShell>
  );
}

export function SelectField({
  name,
  label,
  hint,
  errors,
  options,
  id,
  ...select
}: FieldProps & { options: readonly { value: string; label: string }[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  const field = useField(name, errors, hint, id);
  return (
    <FieldShell id={field.id} label={label} hint={hint} errors={field.errors}>
      <select key={field.key} {...field.attributes} defaultValue={select.defaultValue === undefined ? field.value : undefined} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/**
 * A new password and its confirmation. The first takes its limits from the schema's `password` field; the
 * confirmation must match it (the schema's refinement says so on the server).
 */
export function NewPasswordFields({ hint, label = "New password" }: { hint?: ReactNode; label?: string }) {
  const form = useContext(FormContext);
  const min = form?.constraints.password?.minLength;
  return (
    <>
      <Field
        name="password"
        label={label}
        type="password"
        autoComplete="new-password"
        hint={hint ?? (min ? `At least ${min} characters. A passphrase of several words is easy to remember and hard to guess.` : undefined)}
      />
      <Field name="confirm" label={`${label}, again`} type="password" autoComplete="new-password" required />
    </>
  );
}

/**
 * A submit button that refuses a second click while its form is in flight. It stays focusable (aria-disabled
 * rather than disabled), so focus does not drop to the page body while the request runs.
 */
export function SubmitButton({ children, name, value, className }: { children: ReactNode; name?: string; value?: string; className?: string }) {
  const navigation = useNavigation();
  const form = useContext(FormContext);
  const sentIntent = navigation.formData?.get("intent") ?? null;
  const ownIntent = name === "intent" ? (value ?? null) : (form?.intent ?? null);
  const busy = navigation.state === "submitting" && (sentIntent === null || sentIntent === ownIntent);
  const refuseWhileBusy = (event: MouseEvent<HTMLButtonElement>) => {
    if (busy) event.preventDefault();
  };
  return (
    <button type="submit" name={name} value={value} className={className} aria-disabled={busy || undefined} onClick={refuseWhileBusy}>
      {children}
    </button>
  );
}

/**
 * A consequential one-click action (approve, revoke, end sessions...) behind a second step: the first click opens
 * a confirmation with its consequences, the second sends the form. Works without JavaScript (<details>).
 */
export function ConfirmAction({
  label,
  confirmLabel,
  children,
  className,
}: {
  label: ReactNode;
  confirmLabel: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <details className="confirm-action">
      <summary className={className ?? "secondary"}>{label}</summary>
      <div className="confirm-action__body">
        {children}
        <SubmitButton className={className === "danger" ? "danger" : undefined}>{confirmLabel}</SubmitButton>
      </div>
    </details>
  );
}
