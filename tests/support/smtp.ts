/**
 * A local SMTP server for tests of mail delivery: records each mail it accepted, and can take its time before
 * accepting (the reply to the end of DATA), as a slow or distant mail server does. A mail counts as accepted only
 * if the client was still connected to hear the acceptance: one whose sender hung up first was never sent.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type AcceptedMail = { to: string[]; subject: string; at: number };

export type TestSmtpServer = {
  url: string;
  accepted: AcceptedMail[];
  /** Connections dropped by the client while the server was still deciding. */
  abandoned: number;
  /** How long the server waits before accepting each mail (may be changed while it runs). */
  delayMs: number;
  /** Called as each mail arrives, before the wait; may return a promise the acceptance waits for as well. */
  onMail?: (mail: { to: string[]; subject: string; index: number }) => void | Promise<void>;
  close(): Promise<void>;
};

export async function startSmtpServer(options: { delayMs?: number } = {}): Promise<TestSmtpServer> {
  const closed = new Set<string>();
  let received = 0;
  const state: TestSmtpServer = {
    url: "",
    accepted: [],
    abandoned: 0,
    delayMs: options.delayMs ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onClose: (session) => void closed.add(session.id),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? "";
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const index = received++;
        void (async () => {
          await state.onMail?.({ to, subject, index });
          await new Promise((resolve) => setTimeout(resolve, state.delayMs));
          if (closed.has(session.id)) {
            state.abandoned += 1;
            return callback(new Error("client went away"));
          }
          state.accepted.push({ to, subject, at: Date.now() });
          callback();
        })();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  return state;
}
