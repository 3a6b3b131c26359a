import { useNavigation } from "react-router";
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

type Errors = Partial<Record<string, string[]>> | undefined;

/** Messages for the whole form (not one field), announced to screen readers. */
export function FormErrors({ errors }: { errors: Errors }) {
  const messages = errors?.form;
  if (!messages?.length) return null;
  return (
    <div className="notice error" role="alert">
      {messages.map((message) => (
        <p key={message} className="form-error">
          {message}
        </p>
      ))}
    </div>
  );
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

function describedBy(id: string, hint: unknown, errors?: string[]): string | undefined {
  const ids = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

type FieldProps = { name: string; label: ReactNode; hint?: ReactNode; errors?: Errors };

export function Field({ name, label, hint, errors, id: givenId, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const fieldErrors = errors?.[name];
  return (
    <FieldShell id={id} label={label} hint={hint} errors={fieldErrors}>
      <input id={id} name={name} aria-invalid={fieldErrors?.length ? true : undefined} aria-describedby={describedBy(id, hint, fieldErrors)} {...input} />
    </FieldShell>
  );
}

export function TextareaField({ name, label, hint, errors, id: givenId, ...textarea }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const fieldErrors = errors?.[name];
  return (
    <FieldShell id={id} label={label} hint={hint} errors={fieldErrors}>
      <textarea id={id} name={name} aria-invalid={fieldErrors?.length ? true : undefined} aria-describedby={describedBy(id, hint, fieldErrors)} {...textarea} />
    </FieldShell>
  );
}

export function SelectField({
  name,
  label,
  hint,
  errors,
  options,
  id: givenId,
  ...select
}: FieldProps & { options: { value: string; label: string }[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const fieldErrors = errors?.[name];
  return (
    <FieldShell id={id} label={label} hint={hint} errors={fieldErrors}>
      <select id={id} name={name} aria-invalid={fieldErrors?.length ? true : undefined} aria-describedby={describedBy(id, hint, fieldErrors)} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A submit button that disables itself while its form is in flight, so a double click sends one request. */
export function SubmitButton({ children, name, value, className }: { children: ReactNode; name?: string; value?: string; className?: string }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && (name === undefined || navigation.formData?.get(name) === value);
  return (
    <button type="submit" name={name} value={value} className={className} disabled={busy} aria-disabled={busy}>
      {children}
    </button>
  );
}
