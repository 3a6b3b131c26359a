/**
 * A group's manager at work in Chromium: the demo attendee manages the demo agency group, adds a colleague to it and
 * takes them out again, from the keyboard-reachable forms of the group's page.
 */
import { expect } from "vitest";
import { setupPortal } from "./harness.ts";

const portal = setupPortal();

const DEMO_PASSWORD = "liaison-demo-passphrase";

portal.journey("a group's manager adds a colleague to the group and takes them out again", async ({ page, visit, check }) => {
  await visit("/login");
  await page.getByLabel("Email address").fill("attendee@demo.liaison.test");
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await check();

  await visit("/admin/groups");
  expect(await page.getByRole("table").getByRole("row").count()).toBe(2);
  await page.getByRole("link", { name: "Postal Inspection Service" }).click();
  await page.waitForURL(/\/admin\/groups\/[0-9a-f-]{36}$/);
  await check();
  expect(await page.getByRole("heading", { name: "Members (2)" }).count()).toBe(1);

  await page.getByLabel("Email address").fill("not-an-address");
  await page.getByRole("button", { name: "Add to the group" }).click();
  // The 400 that carries the field's message is the one console error Chromium reports here.
  await page.getByRole("alert").getByText("Enter a valid email address, such as name@agency.gov.").waitFor();
  await check();

  await page.getByLabel("Email address").fill("speaker@demo.liaison.test");
  await page.getByRole("button", { name: "Add to the group" }).click();
  await page.getByText("Sam Speaker is now a member of the group.").waitFor();
  await check();
  expect(await page.getByRole("heading", { name: "Members (3)" }).count()).toBe(1);

  await page.locator("summary", { hasText: "Remove Sam Speaker" }).click();
  await page.getByRole("button", { name: "Yes, remove from the group" }).click();
  await page.getByText("Sam Speaker is no longer in the group.").waitFor();
  await check();
  expect(await page.getByRole("heading", { name: "Members (2)" }).count()).toBe(1);
}, { allowConsoleErrors: [/status of 400/] });
