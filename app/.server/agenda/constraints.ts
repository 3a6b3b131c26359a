/** The Postgres error code and constraint behind a failed write, through the drivers' and Drizzle's wrappers. */
export function constraintViolation(error: unknown): { code: string; constraint: string } | null {
  for (let e = error as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === "string" && /^23/.test(e.code)) return { code: e.code, constraint: String(e.constraint ?? e.constraint_name ?? "") };
  }
  return null;
}
