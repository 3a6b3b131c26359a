/**
 * The focus ring must have at least 3:1 contrast against every background it can sit on (WCAG 2.2, 1.4.11 and
 * 2.4.13). It is two colours, an inner and an outer ring: against any background one of the two is at least 3:1 away.
 * This test reads the stylesheets, resolves every background colour they declare, and checks each against the ring.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

const SHEETS = ["app.css", "agenda.css"].map((name) => fs.readFileSync(path.join(import.meta.dirname, name), "utf8"));
const CSS = SHEETS.join("\n").replace(/\/\*[\s\S]*?\*\//g, "");

type Rule = { selector: string; declarations: [string, string][] };

function rules(css: string): Rule[] {
  const found: Rule[] = [];
  // Flattens @media blocks: their rules apply on some screens, so they count like any other.
  for (const match of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const declarations = match[2]!
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const colon = part.indexOf(":");
        return [part.slice(0, colon).trim(), part.slice(colon + 1).trim()] as [string, string];
      });
    found.push({ selector: match[1]!.trim(), declarations });
  }
  return found;
}

const RULES = rules(CSS);

function declared(property: string): string[] {
  return RULES.flatMap((rule) => rule.declarations.filter(([name]) => name === property).map(([, value]) => value));
}

/** Custom properties, by name: every value any rule gives them. */
function customValues(name: string): string[] {
  return declared(name);
}

function resolve(value: string): string[] {
  const variable = /var\((--[a-z-]+)\)/.exec(value);
  if (variable) return customValues(variable[1]!).flatMap(resolve);
  const hex = value.match(/#[0-9a-f]{3,8}\b/gi);
  if (hex) return hex;
  return /\bwhite\b/i.test(value) ? ["#ffffff"] : [];
}

function rgb(hex: string): [number, number, number] {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits.slice(0, 6);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const inner = customValues("--focus-inner").flatMap(resolve);
const outer = customValues("--focus-outer").flatMap(resolve);
const backgrounds = [...new Set([...declared("background"), ...declared("background-color")].flatMap(resolve))].map((c) => c.toLowerCase());

describe("the focus ring", () => {
  test("is drawn by one rule for every focusable element, in the two ring colours", () => {
    const focusRules = RULES.filter((rule) => rule.selector.includes(":focus-visible"));
    expect(focusRules.map((rule) => rule.selector)).toEqual([":focus-visible, .error-summary:focus"]);
    const focus = Object.fromEntries(focusRules[0]!.declarations);
    expect(focus.outline).toMatch(/^3px solid var\(--focus-outer\)$/);
    expect(focus["box-shadow"]).toMatch(/var\(--focus-inner\)$/);
    // No other rule takes the ring away or paints it another colour.
    const otherOutlines = RULES.filter((rule) => !focusRules.includes(rule)).flatMap((rule) => rule.declarations.filter(([name]) => name.startsWith("outline")));
    expect(otherOutlines).toEqual([]);
  });

  test("has two colours that stand apart from each other", () => {
    expect(inner.length).toBeGreaterThan(0);
    expect(outer.length).toBeGreaterThan(0);
    for (const a of inner) for (const b of outer) expect(contrast(a, b)).toBeGreaterThanOrEqual(3);
  });

  test.each(backgrounds)("has at least 3:1 against the background %s", (background) => {
    for (const a of inner) {
      for (const b of outer) {
        expect(Math.max(contrast(a, background), contrast(b, background))).toBeGreaterThanOrEqual(3);
      }
    }
  });

  test("knows the backgrounds of the page, the header and the buttons", () => {
    expect(backgrounds).toEqual(expect.arrayContaining(["#ffffff", "#f3f5f7", "#0b4f7a", "#a4161a"]));
  });
});
