import { z } from "zod";
import { GROUP_KINDS, GROUP_ROLES } from "#db/schema/access.ts";
import { GROUP_LIMITS } from "#app/shared/groups.ts";
import { nameLine } from "../http/text.ts";

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const CreateGroupSchema = z.object({
  intent: z.literal("create"),
  kind: z.enum(GROUP_KINDS, "Choose what kind of group this is."),
  name: nameLine("Enter the group's name.", GROUP_LIMITS.name, `The name can be at most ${GROUP_LIMITS.name} characters.`),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .max(GROUP_LIMITS.slug, `The short name can be at most ${GROUP_LIMITS.slug} characters.`)
    .refine((slug) => slug === "" || SLUG_PATTERN.test(slug), "Use lowercase letters, digits and single hyphens, such as dea-ny.")
    .default(""),
});
export type CreateGroupInput = z.output<typeof CreateGroupSchema>;

export const AddGroupMemberSchema = z.object({
  intent: z.literal("add"),
  email: z
    .string({ error: "Enter the person's email address." })
    .trim()
    .toLowerCase()
    .min(1, "Enter the person's email address.")
    .max(GROUP_LIMITS.email, "That email address is too long.")
    .pipe(z.email("Enter a valid email address, such as name@agency.gov.")),
  role: z.enum(GROUP_ROLES, "Choose member or manager.").default("member"),
});
export type AddGroupMemberInput = z.output<typeof AddGroupMemberSchema>;

export const RemoveGroupMemberSchema = z.object({
  intent: z.literal("remove"),
  userId: z.uuid("Choose a member of the group."),
});

/** The forms of one group's page, told apart by their intent. */
export const GroupPageSchema = z.discriminatedUnion("intent", [AddGroupMemberSchema, RemoveGroupMemberSchema]);

export const GroupIdSchema = z.uuid();
