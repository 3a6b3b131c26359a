export * from "./access.ts";
export * from "./accounts.ts";
export * from "./agenda.ts";
export * from "./audit.ts";
export * from "./content.ts";
export * from "./mail.ts";
export * from "./throttle.ts";
export * from "./vetting.ts";
