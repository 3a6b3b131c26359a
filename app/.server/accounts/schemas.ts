import { z } from "zod";
import { nameLine, plainString } from "../http/text.ts";
import { isCountryCode } from "./countries.ts";
import { NewPasswordSchema } from "./passwords.ts";

export const EmailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."));

const text = (label: string, max: number) => nameLine(`Enter your ${label}.`, max, `Your ${label} can be at most ${max} characters.`);

export const ProfileFieldsSchema = z.object({
  name: text("name", 120),
  agency: text("agency", 160),
  jobTitle: text("job title", 120),
  country: plainString({ missing: "Choose your country." }).refine(isCountryCode, "Choose your country."),
});

export const SignUpSchema = ProfileFieldsSchema.extend({
  email: EmailSchema,
  password: NewPasswordSchema,
});
export type SignUpInput = z.output<typeof SignUpSchema>;

export const SignInSchema = z.object({
  email: EmailSchema,
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  redirectTo: plainString().optional(),
});

/** Sensitive changes ask for the password again. */
export const CurrentPasswordSchema = z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(1024);

export const TokenSchema = z.string().regex(/^[a-z2-7]{32}$/, "This link is not valid.");
