import countries from "i18n-iso-countries";
import en from "i18n-iso-countries/langs/en.json" with { type: "json" };

countries.registerLocale(en);

const NAMES = countries.getNames("en", { select: "official" });

export const COUNTRY_OPTIONS: { value: string; label: string }[] = Object.entries(NAMES)
  .map(([value, label]) => ({ value, label }))
  .sort((a, b) => a.label.localeCompare(b.label));

export function isCountryCode(value: string): boolean {
  return Object.hasOwn(NAMES, value);
}

export function countryName(code: string): string {
  return NAMES[code] ?? code;
}
