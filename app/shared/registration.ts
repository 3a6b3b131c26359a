import { z } from "zod";

/**
 * The registration form's schema. The server parses the form with it (and its limits reach the page as HTML
 * attributes), then checks what the schema cannot know: the country list, members-only categories, the conference
 * days. The labels here are the page's too, so this module stays free of server imports.
 */

export const CATEGORY_LABELS = {
  us_federal: "U.S. federal agency",
  state_local_tribal: "State, local or tribal agency",
  international: "International partner agency",
  private_sector: "Private-sector partner (carrier, e-commerce platform)",
} as const;
export type Category = keyof typeof CATEGORY_LABELS;
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as Category[];

export const STATUS_LABELS = {
  submitted: "Waiting for the organizers",
  approved: "Approved",
  waitlisted: "On the waitlist",
  declined: "Declined",
  cancelled: "Cancelled",
  checked_in: "Checked in",
} as const;
export type Status = keyof typeof STATUS_LABELS;

export const REGISTRATION_LIMITS = { agency: 200, jobTitle: 200, needs: 1000 } as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const text = (max: number, missing: string, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);

const optionalText = (max: number, tooLong: string) => z.string().trim().max(max, tooLong).default("");

export const RegistrationFormSchema = z
  .object({
    category: z.enum(CATEGORIES as [Category, ...Category[]], { error: "Choose the kind of organisation you work for." }),
    agency: text(REGISTRATION_LIMITS.agency, "Enter your agency or organisation.", `Keep your agency to ${REGISTRATION_LIMITS.agency} characters.`),
    jobTitle: text(REGISTRATION_LIMITS.jobTitle, "Enter your job title.", `Keep your job title to ${REGISTRATION_LIMITS.jobTitle} characters.`),
    country: z.string({ error: "Choose your country." }).regex(/^[A-Z]{2}$/, "Choose your country."),
    arrivalOn: z.string({ error: "Enter your arrival date." }).regex(DAY, "Enter your arrival date."),
    departureOn: z.string({ error: "Enter your departure date." }).regex(DAY, "Enter your departure date."),
    dietaryNeeds: optionalText(REGISTRATION_LIMITS.needs, `Keep dietary needs to ${REGISTRATION_LIMITS.needs} characters.`),
    accessibilityNeeds: optionalText(REGISTRATION_LIMITS.needs, `Keep accessibility needs to ${REGISTRATION_LIMITS.needs} characters.`),
    // A checkbox sends "on" when ticked and nothing otherwise.
    directoryConsent: z
      .string()
      .optional()
      .transform((value) => value === "on"),
  })
  .refine((form) => form.departureOn >= form.arrivalOn, { path: ["departureOn"], message: "Your departure cannot be before your arrival." });

export type RegistrationForm = z.output<typeof RegistrationFormSchema>;

/** The form's fields as the page fills them in: the registration's answers, or the profile's. */
export const REGISTRATION_FIELDS = ["category", "agency", "jobTitle", "country", "arrivalOn", "departureOn", "dietaryNeeds", "accessibilityNeeds", "directoryConsent"] as const;
export type RegistrationValues = Partial<Record<(typeof REGISTRATION_FIELDS)[number], string>>;
