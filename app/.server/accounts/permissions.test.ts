import { describe, expect, it } from "vitest";
import { MFA_PERMISSIONS, permissionsOf } from "./permissions.ts";

describe("permissions", () => {
  it("asks attendees and speakers for no second factor, and everyone else for one", () => {
    expect(MFA_PERMISSIONS.has("apply:vetting")).toBe(false);
    expect(MFA_PERMISSIONS.has("register:conference")).toBe(false);
    expect(MFA_PERMISSIONS.has("upload:material")).toBe(false);
    for (const permission of ["read:forum", "moderate:post", "approve:vetting", "read:audit", "manage:roles"] as const) {
      expect(MFA_PERMISSIONS.has(permission)).toBe(true);
    }
  });

  it("unions the permissions of every role held", () => {
    const permissions = permissionsOf(["attendee", "speaker"]);
    expect([...permissions].sort()).toEqual(["apply:vetting", "register:conference", "upload:material"]);
    expect(permissionsOf(["organizer"]).has("read:forum")).toBe(false);
  });
});
