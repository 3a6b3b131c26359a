import { useId, type ReactNode } from "react";

/**
 * A table that reads on a phone: when it is wider than the screen it scrolls inside a region that is named after
 * its caption and can take keyboard focus, so it can be scrolled without a mouse and a screen reader says what it is.
 */
export function DataTable({ caption, children, captionClassName = "muted" }: { caption: ReactNode; children: ReactNode; captionClassName?: string }) {
  const captionId = useId();
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table>
        <caption id={captionId} className={captionClassName}>
          {caption}
        </caption>
        {children}
      </table>
    </div>
  );
}
