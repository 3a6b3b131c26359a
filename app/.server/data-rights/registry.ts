import type { Transaction } from "#db/client.ts";
import { accessDataPart } from "../access/data-part.ts";
import { accountsDataPart } from "../accounts/data-part.ts";
import { agendaDataPart } from "../agenda/data-part.ts";
import { auditDataPart } from "../audit/data-part.ts";
import { mailDataPart } from "../mail/data-part.ts";
import { registrationDataPart } from "../registration/data-part.ts";
import { vettingDataPart } from "../vetting/data-part.ts";
import type { DataPart, EraseContext } from "./part.ts";

export type { DataPart, EraseContext } from "./part.ts";

/**
 * Every module's part of an account's data, in the order they run. Accounts comes first: its export refuses an
 * unknown user before anything else is read. A module with a table that references users(id) adds its part here.
 */
export const DATA_PARTS = [
  accountsDataPart,
  vettingDataPart,
  accessDataPart,
  agendaDataPart,
  registrationDataPart,
  auditDataPart,
  mailDataPart,
] as const;

type SectionsOf<P> = P extends DataPart<infer S> ? S : never;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type AccountData = Intersection<SectionsOf<(typeof DATA_PARTS)[number]>>;

/** Reads every part in the caller's transaction, so the download is one consistent snapshot. */
export async function exportAllParts(tx: Transaction, userId: string): Promise<AccountData> {
  const data: Record<string, unknown> = {};
  for (const part of DATA_PARTS as readonly DataPart[]) {
    const sections = await part.export(tx, userId);
    for (const [key, value] of Object.entries(sections)) {
      if (key in data) throw new Error(`The data parts "${part.name}" and another both export "${key}".`);
      data[key] = value;
    }
  }
  return data as AccountData;
}

/** Runs every part's erasure in the caller's transaction; the user row is deleted after, by the caller. */
export async function eraseAllParts(tx: Transaction, userId: string, context: EraseContext): Promise<void> {
  for (const part of DATA_PARTS as readonly DataPart[]) await part.erase?.(tx, userId, context);
}
