import { describe, expect, test } from "vitest";
import { z } from "zod";
import { SignUpSchema } from "../accounts/schemas.ts";
import { VettingPageSchema } from "../vetting/schemas.ts";
import { formConstraints } from "./form-constraints.ts";
import { handleForm, formSuccess, refuse } from "./forms.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

describe("formConstraints", () => {
  test("reads required, minlength and maxlength from a form's schema, through trims, pipes and defaults", () => {
    expect(formConstraints(SignUpSchema)).toEqual({
      name: { required: true, maxLength: 120 },
      agency: { required: true, maxLength: 160 },
      jobTitle: { required: true, maxLength: 120 },
      country: { required: true },
      email: { required: true, maxLength: 254 },
      password: { required: true, minLength: 12, maxLength: 128 },
    });
    const schema = z.object({ note: z.string().max(200).default(""), seats: z.coerce.number().int().min(1).max(500).optional() });
    expect(formConstraints(schema)).toEqual({ note: { required: false, maxLength: 200 }, seats: { required: false, min: 1, max: 500 } });
  });

  test("of forms told apart by intent, reads the one named", () => {
    expect(formConstraints(VettingPageSchema, "reply")).toEqual({ applicationId: { required: true }, reply: { required: true, maxLength: 4000 } });
    expect(() => formConstraints(VettingPageSchema, "no-such-form")).toThrow('No form for intent "no-such-form"');
  });
});

function post(fields: Record<string, string>): Request {
  return new Request("http://liaison.test/form", { method: "POST", body: new URLSearchParams(fields) });
}

const Schema = z.object({ intent: z.literal("save"), title: z.string().trim().min(3, "Enter a title."), password: z.string() });

describe("handleForm", () => {
  test("answers a form that does not validate with 400, the messages per field and what was typed, less passwords", async () => {
    const result = await handleForm(post({ intent: "save", title: "ab", password: "hunter2 hunter2" }), Schema, () => formSuccess("never"));
    expect(result.init?.status).toBe(400);
    expect(result.data).toEqual({ status: "error", intent: "save", form: null, errors: { title: ["Enter a title."] }, values: { intent: "save", title: "ab" } });
  });

  test("turns a refusal or a conflict into the form's messages with its status; lets other errors through", async () => {
    const refused = await handleForm(post({ intent: "save", title: "A title", password: "x", _form: "row-1" }), Schema, () => refuse({ password: ["Wrong."] }, 401));
    expect([refused.init?.status, refused.data]).toEqual([401, { status: "error", intent: "save", form: "row-1", errors: { password: ["Wrong."] }, values: { intent: "save", title: "A title", _form: "row-1" } }]);
    const conflict = await handleForm(post({ intent: "save", title: "A title", password: "x" }), Schema, () => {
      throw new ConflictError("Someone else saved it.");
    });
    expect([conflict.init?.status, conflict.data.status === "error" && conflict.data.errors]).toEqual([409, { form: ["Someone else saved it."] }]);
    await expect(
      handleForm(post({ intent: "save", title: "A title", password: "x" }), Schema, () => {
        throw new NotFoundError();
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test("answers a valid form with the handler's notice and data", async () => {
    const result = await handleForm(post({ intent: "save", title: "  A title ", password: "x" }), Schema, (input) => formSuccess("Saved.", { title: input.title }));
    expect([result.init?.status, result.data]).toEqual([200, { status: "success", intent: "save", form: null, notice: "Saved.", data: { title: "A title" } }]);
  });
});
