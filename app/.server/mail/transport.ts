import nodemailer, { type SendMailOptions } from "nodemailer";
import { config, type Config } from "../config.ts";
import type { Mail } from "./outbox.ts";

export type MailTransport = {
  name: string;
  /** Resolves once the receiving server has accepted the mail; an aborted signal drops the connection first. */
  send(mail: Mail, signal?: AbortSignal): Promise<void>;
};

/**
 * SMTP when SMTP_URL is set. Otherwise mail stays in the in-app outbox; on a demo or development site it is also
 * printed on the console with its links, so that a newcomer can verify an address without a mailbox.
 */
export function createTransport(cfg: Config = config(), consoleOut: NodeJS.WritableStream = process.stdout): MailTransport {
  if (cfg.smtpUrl) {
    // Bounded waits: a stalled server fails the attempt (and the job retries) well within the job's timeout.
    const smtp = nodemailer.createTransport({ url: cfg.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
    return {
      name: "smtp",
      send: async (mail, signal) => {
        // nodemailer 10 closes the connection when the signal aborts; its typings do not list the option yet.
        const attachments = mail.attachments?.map((file) => ({ filename: file.filename, contentType: file.contentType, content: file.content }));
        const options = { from: cfg.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, attachments, signal };
        await smtp.sendMail(options as SendMailOptions);
      },
    };
  }
  if (cfg.demoOrDevelopment) {
    return { name: "console", send: async (mail) => void consoleOut.write(formatConsoleMail(mail)) };
  }
  return { name: "outbox", send: async () => {} };
}

/** A mail as a person reads it in a terminal: who, what, and the text with its links on lines of their own. */
export function formatConsoleMail(mail: Mail): string {
  const rule = "-".repeat(72);
  return `\n${rule}\nMail to ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text.trimEnd()}\n${rule}\n\n`;
}

let cached: { cfg: Config; transport: MailTransport } | undefined;

/** The transport of the current configuration, made once. */
export function mailTransport(): MailTransport {
  const cfg = config();
  if (cached?.cfg !== cfg) cached = { cfg, transport: createTransport(cfg) };
  return cached.transport;
}
