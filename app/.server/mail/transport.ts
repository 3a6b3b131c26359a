import nodemailer from "nodemailer";
import { config } from "../config.ts";
import { logger } from "../log.ts";
import type { Mail } from "./outbox.ts";

export type MailTransport = { name: string; send(mail: Mail): Promise<void> };

/** SMTP when SMTP_URL is set; otherwise mail stays in the in-app outbox (and the development console). */
export function createTransport(): MailTransport {
  const cfg = config();
  if (cfg.smtpUrl) {
    const smtp = nodemailer.createTransport(cfg.smtpUrl);
    return {
      name: "smtp",
      send: async (mail) => {
        await smtp.sendMail({ from: cfg.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
      },
    };
  }
  return {
    name: "outbox",
    send: async (mail) => {
      if (cfg.env === "development") logger().info({ to: mail.to, subject: mail.subject }, `mail\n${mail.text}`);
    },
  };
}
