import type { FieldErrors } from "#app/shared/form-reply.ts";

/**
 * The one way a domain function fails. Each error is a Response, so a loader or action can let it propagate and
 * the route's ErrorBoundary shows the page for its status; `invalid` carries messages per field, which an action
 * turns into a 400 with the form (see `handleForm` in http/forms.ts).
 */
export class DomainError extends Response {
  constructor(
    readonly kind: "not_found" | "forbidden" | "conflict" | "invalid" | "too_large" | "rate_limited",
    readonly publicMessage: string,
    status: number,
  ) {
    super(publicMessage, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

export class NotFoundError extends DomainError {
  constructor(message = "There is no such thing here, or you may not see it.") {
    super("not_found", message, 404);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You do not have permission to do this.") {
    super("forbidden", message, 403);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super("conflict", message, 409);
  }
}

export class TooLargeError extends DomainError {
  constructor(message = "What you sent is larger than we accept.") {
    super("too_large", message, 413);
  }
}

export class RateLimitedError extends DomainError {
  constructor(message = "Too many attempts. Please wait a little and try again.") {
    super("rate_limited", message, 429);
  }
}

export class InvalidError extends DomainError {
  constructor(readonly fieldErrors: FieldErrors) {
    super("invalid", Object.values(fieldErrors).flat().join(" ") || "Check the form and try again.", 400);
  }
}

export function invalid(field: string, message: string): InvalidError {
  return new InvalidError({ [field]: [message] });
}
