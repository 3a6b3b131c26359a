import { CopyButton, PrintButton } from "./copy-button.tsx";

function groupKey(key: string): string {
  return key.match(/.{1,4}/g)?.join(" ") ?? key;
}

/**
 * The key of a new second factor, for every way of getting it into an app: scanning the QR code from another screen,
 * opening the otpauth:// link on the phone that holds the app, or copying the key (typed by hand without JavaScript).
 */
export function TotpKeyChoices({ setup }: { setup: { key: string; uri: string; qrSvg: string } }) {
  return (
    <>
      <div className="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: setup.qrSvg }} />
      <p>
        On the phone with your authenticator app? <a href={setup.uri}>Add Liaison to your authenticator app</a>.
      </p>
      <p className="key-line">
        Cannot scan it? Enter this key by hand: <code className="totp-key">{groupKey(setup.key)}</code>{" "}
        <CopyButton text={setup.key} label="Copy the key" />
      </p>
    </>
  );
}

const CODES_FILE = "liaison-recovery-codes.txt";

/** The recovery codes with ways to keep them: copy, download as a text file, print. */
export function RecoveryCodeList({ codes, account }: { codes: string[]; account: string }) {
  const text = `Liaison recovery codes for ${account}\nEach code signs you in once if you lose your authenticator app.\n\n${codes.join("\n")}\n`;
  return (
    <>
      <ul className="codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <p className="actions no-print">
        <a className="button secondary" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download={CODES_FILE}>
          Download the codes (.txt)
        </a>
        <CopyButton text={codes.join("\n")} label="Copy the codes" />
        <PrintButton label="Print the codes" />
      </p>
    </>
  );
}
