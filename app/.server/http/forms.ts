import { data } from "react-router";
import type { z } from "zod";

export type FieldErrors = Partial<Record<string, string[]>>;

export type FormResult<T> = { ok: true; data: T; formData: FormData } | { ok: false; errors: FieldErrors };

/** Reads a urlencoded or multipart body; a body that cannot be parsed is the client's fault: 400. */
export async function readFormData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("The form could not be read.", { status: 400 });
  }
}

/** Parses a form with its zod schema; every problem is reported against the field it belongs to. */
export async function parseForm<S extends z.ZodType>(request: Request, schema: S): Promise<FormResult<z.output<S>>> {
  const formData = await readFormData(request);
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of formData) {
    if (typeof value !== "string") continue;
    const existing = values[key];
    values[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, formData };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "form";
    (errors[field] ??= []).push(issue.message);
  }
  return { ok: false, errors };
}

/** The answer to a form that did not validate: 400, with messages per field for the page to show. */
export function invalidForm(errors: FieldErrors) {
  return data({ ok: false as const, errors }, { status: 400 });
}

export function formError(message: string, status = 400) {
  return data({ ok: false as const, errors: { form: [message] } as FieldErrors }, { status });
}
