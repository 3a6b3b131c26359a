import { z } from "zod";
import type { FieldConstraint, FormConstraints } from "#app/shared/form-reply.ts";

type Check = { _zod: { def: { check: string } } };

function hasCustomCheck(schema: z.ZodType): boolean {
  const checks = (schema._zod.def as { checks?: Check[] }).checks ?? [];
  return checks.some((check) => check._zod.def.check === "custom");
}

function constraintOf(schema: z.ZodType, optional = false): FieldConstraint {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodCatch || schema instanceof z.ZodNullable) {
    return constraintOf(schema.unwrap() as z.ZodType, true);
  }
  if (schema instanceof z.ZodPipe) {
    const input = constraintOf(schema.in as z.ZodType, optional);
    return { ...input, required: input.required || (!optional && (hasCustomCheck(schema) || hasCustomCheck(schema.out as z.ZodType))) };
  }
  if (schema instanceof z.ZodString) {
    const constraint: FieldConstraint = { required: !optional && ((schema.minLength ?? 0) > 0 || hasCustomCheck(schema)) };
    if (schema.minLength !== null && schema.minLength > 1) constraint.minLength = schema.minLength;
    if (schema.maxLength !== null) constraint.maxLength = schema.maxLength;
    return constraint;
  }
  if (schema instanceof z.ZodNumber) {
    const constraint: FieldConstraint = { required: !optional };
    if (schema.minValue !== null && Number.isFinite(schema.minValue)) constraint.min = schema.minValue;
    if (schema.maxValue !== null && Number.isFinite(schema.maxValue)) constraint.max = schema.maxValue;
    return constraint;
  }
  return { required: !optional };
}

function objectOf(schema: z.ZodType, intent: string | undefined): z.ZodObject | null {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return objectOf(schema.in as z.ZodType, intent);
  if (schema instanceof z.ZodDiscriminatedUnion || schema instanceof z.ZodUnion) {
    for (const option of schema.options as z.ZodType[]) {
      const object = objectOf(option, intent);
      const literal = object?.shape.intent;
      if (object && (intent === undefined || (literal instanceof z.ZodLiteral && literal.values.has(intent)))) return object;
    }
  }
  return null;
}

/**
 * The HTML limits (required, minlength, maxlength, min, max) of a form's fields, read from the zod schema that
 * parses it, so the page and the server never disagree. Of a union of forms told apart by `intent`, the one named.
 * Computed on the server because the schemas stay there (some carry the breached-password list).
 */
export function formConstraints(schema: z.ZodType, intent?: string): FormConstraints {
  const object = objectOf(schema, intent);
  if (!object) throw new Error(`No form${intent ? ` for intent "${intent}"` : ""} in this schema.`);
  const constraints: FormConstraints = {};
  for (const [name, field] of Object.entries(object.shape)) {
    if (name === "intent") continue;
    constraints[name] = constraintOf(field as z.ZodType);
  }
  return constraints;
}
