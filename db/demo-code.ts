/**
 * `npm run demo:code -- <role>`: the code the demo account of that role signs in with now, so that a newcomer can try
 * every role without an authenticator app. Needs nothing running: the demo key is fixed (db/demo-totp.ts).
 */
import { DEMO_MFA_ROLES, DEMO_TOTP_KEY, demoTotpCodes, type DemoMfaRole } from "./demo-totp.ts";

const role = process.argv[2];
if (!role || !(DEMO_MFA_ROLES as readonly string[]).includes(role)) {
  process.stderr.write(
    `Usage: npm run demo:code -- <role>, where <role> is one of: ${DEMO_MFA_ROLES.join(", ")}.\n` +
      "The other demo accounts (unverified, attendee, speaker) sign in with the password alone.\n",
  );
  process.exit(2);
}
const { current, next, secondsLeft } = demoTotpCodes();
const account = `${role as DemoMfaRole}@demo.liaison.test`;
process.stdout.write(
  `${current}\n` +
    `  the code for ${account} for ${secondsLeft} s more (then ${next}).\n` +
    `  Each code works once per account: signing in again within the same 30 s takes the next one.\n` +
    `  To use an authenticator app instead, add the key ${DEMO_TOTP_KEY}.\n`,
);
