import { DataTable } from "#app/components/data-table.tsx";
import { DATE_TIME } from "#app/shared/dates.ts";

/** One sign-in session as a page may show it: no id or token hash leaves the server. */
export type SessionRow = {
  browser: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  /** The browser looking at the page (the owner's own list). */
  current?: boolean;
  /** Present when the page shows whether the session passed the second factor (the admins' view). */
  mfaVerifiedAt?: Date | null;
};

function Time({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{DATE_TIME.format(date)} UTC</time>;
}

/** Where an account is signed in, most recently used first: for its owner, and for the admins who manage it. */
export function SessionsTable({ sessions, caption, secondFactor = false }: { sessions: SessionRow[]; caption: string; secondFactor?: boolean }) {
  return (
    <DataTable caption={caption}>
      <thead>
        <tr>
          <th scope="col">Browser</th>
          <th scope="col">Signed in</th>
          <th scope="col">Last seen</th>
          <th scope="col">IP address</th>
          {secondFactor ? <th scope="col">Second factor</th> : null}
        </tr>
      </thead>
      <tbody>
        {sessions.map((session, index) => (
          <tr key={index}>
            <td>
              {session.browser} {session.current ? <span className="badge">This device</span> : null}
            </td>
            <td>
              <Time date={session.createdAt} />
            </td>
            <td>
              <Time date={session.lastSeenAt} />
            </td>
            <td>{session.ip ?? "Unknown"}</td>
            {secondFactor ? <td>{session.mfaVerifiedAt ? "Passed" : "Not passed"}</td> : null}
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
