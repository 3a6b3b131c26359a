import { useEffect, useState } from "react";

/**
 * Copies `text` to the clipboard. Shown only once JavaScript runs (a button that does nothing is worse than none);
 * without it, the text beside the button is selectable. The result is announced.
 */
export function CopyButton({ text, label, className = "secondary" }: { text: string; label: string; className?: string }) {
  const [available, setAvailable] = useState(false);
  const [status, setStatus] = useState("");
  useEffect(() => setAvailable(typeof navigator !== "undefined" && navigator.clipboard !== undefined), []);
  if (!available) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setStatus("Copied."),
      () => setStatus("Could not copy: select the text and copy it instead."),
    );
  };
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {status}
      </span>
    </>
  );
}

/** Opens the browser's print dialog; shown only with JavaScript (without it, the browser's own Print does the same). */
export function PrintButton({ label }: { label: string }) {
  const [available, setAvailable] = useState(false);
  useEffect(() => setAvailable(true), []);
  if (!available) return null;
  return (
    <button type="button" className="secondary" onClick={() => window.print()}>
      {label}
    </button>
  );
}
