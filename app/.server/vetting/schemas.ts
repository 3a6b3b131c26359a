import { z } from "zod";
import { TokenSchema } from "../accounts/schemas.ts";
import { nameLine, plainString, requiredText } from "../http/text.ts";

const text = (missing: string, max: number, tooLong: string) => requiredText(missing, max, tooLong);

const uuid = z.uuid("This item does not exist.");

/** An email field whose messages name the address asked for: a form with two addresses must not say the same twice. */
const emailOf = (missing: string, example: string) =>
  plainString({ missing })
    .trim()
    .toLowerCase()
    .min(1, missing)
    .max(254, "That email address is too long.")
    .pipe(z.email(`${example}`));

export const LIMITS = { reason: 4000, reply: 4000, statement: 1000, note: 2000, suspension: 1000, search: 100 } as const;

export const ApplySchema = z
  .object({
    agency: nameLine("Enter your agency.", 160, "Your agency can be at most 160 characters."),
    officialEmail: emailOf("Enter your official email address.", "Enter your official address as name@agency.gov (with an @ and a domain)."),
    sponsorName: nameLine("Enter the name of your supervisor or sponsor.", 120, "The name can be at most 120 characters."),
    sponsorEmail: emailOf(
      "Enter your supervisor's or sponsor's email address.",
      "Enter your supervisor's or sponsor's address as name@agency.gov (with an @ and a domain).",
    ),
    reason: requiredText("Tell us why you want to join.", LIMITS.reason, `Your reason can be at most ${LIMITS.reason} characters.`, {
      length: 20,
      message: "Tell us in a sentence or two (at least 20 characters) why you want to join.",
    }),
  })
  .refine((input) => !input.sponsorEmail || input.sponsorEmail !== input.officialEmail, {
    path: ["sponsorEmail"],
    message: "Give your supervisor's or sponsor's own address, not yours.",
  });
export type ApplyInput = z.output<typeof ApplySchema>;

export const ReplySchema = z.object({
  applicationId: uuid,
  reply: text("Write your answer.", LIMITS.reply, `Your answer can be at most ${LIMITS.reply} characters.`),
});

export const VouchSchema = z.object({
  applicationId: uuid,
  statement: text(
    "Say in a sentence how you know this person.",
    LIMITS.statement,
    `Your statement can be at most ${LIMITS.statement} characters.`,
  ),
});

export const DecisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve") }),
  z.object({
    intent: z.literal("reject"),
    reason: text("Give the reason for the rejection: the applicant will read it.", LIMITS.note, `The reason can be at most ${LIMITS.note} characters.`),
  }),
  z.object({
    intent: z.literal("request_info"),
    question: text("Write your question for the applicant.", LIMITS.note, `The question can be at most ${LIMITS.note} characters.`),
  }),
]);
export type Decision = z.output<typeof DecisionSchema>;

/** Domains that would let anyone in: a generic top-level domain or a free mail provider. */
const TOO_BROAD = new Set([
  "com", "net", "org", "info", "biz", "io", "co", "me", "app", "dev", "xyz", "online",
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
  "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com", "yandex.ru", "qq.com",
]);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const DomainSchema = plainString({ missing: "Enter a domain." })
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/\.$/, ""))
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (value === "") return fail("Enter a domain, such as gov or police.uk.");
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) return fail("Enter only the domain, without http:// or https://.");
    if (value.includes("@")) return fail("Enter only the part after the @: for jane@police.uk enter police.uk.");
    if (value.includes("/")) return fail("Enter only the domain, without a path.");
    if (value.startsWith(".") || value.startsWith("*")) return fail("Leave out the leading dot or star: gov already covers every address ending in .gov.");
    if (value.length > 253 || !value.split(".").every((label) => LABEL.test(label))) {
      return fail("Enter a domain such as gov or police.uk: letters, digits and hyphens, with dots between the parts.");
    }
    if (TOO_BROAD.has(value)) return fail(`${value} is open to anyone: it cannot go on the allowlist.`);
  });

export const AllowlistAddSchema = z.object({
  intent: z.literal("add"),
  domain: DomainSchema,
  note: plainString().trim().max(200, "The note can be at most 200 characters.").default(""),
});

/** Removal takes any listed value, even one that today's rules would refuse. */
export const AllowlistRemoveSchema = z.object({
  intent: z.literal("remove"),
  domain: plainString({ missing: "Choose a domain." }).trim().toLowerCase().min(1, "Choose a domain.").max(253),
});

export const SuspendSchema = z.object({
  intent: z.literal("suspend"),
  userId: uuid,
  reason: text("Give the reason for the suspension.", LIMITS.suspension, `The reason can be at most ${LIMITS.suspension} characters.`),
});

export const ReinstateSchema = z.object({ intent: z.literal("reinstate"), userId: uuid });


/** The forms of /vetting, told apart by their intent. */
export const VettingPageSchema = z.discriminatedUnion("intent", [
  ApplySchema.safeExtend({ intent: z.literal("apply") }),
  ReplySchema.extend({ intent: z.literal("reply") }),
  z.object({ intent: z.literal("withdraw"), applicationId: uuid }),
  z.object({ intent: z.literal("resend") }),
]);

export const VerifyOfficialEmailSchema = z.object({ token: TokenSchema });

export const AllowlistPageSchema = z.discriminatedUnion("intent", [AllowlistAddSchema, AllowlistRemoveSchema]);

export const MembersPageSchema = z.discriminatedUnion("intent", [SuspendSchema, ReinstateSchema]);
