import type { LinksFunction, MetaFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { checkIn, CheckInFormSchema, getDoorList } from "#app/.server/registration/check-in.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { describeStop, flushQueue, isSendableCode, readSyncAnswer, type FlushOutcome, type QueuedScan, type QueueStore, type SyncAnswer, type SyncedScan } from "#app/shared/check-in-queue.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import registrationStyles from "#app/styles/registration.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: registrationStyles }];

export const meta: MetaFunction = () => [{ title: "Check-in · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "check-in:attendees");
  return { ...(await getDoorList(viewer)), constraints: formConstraints(CheckInFormSchema) };
}

/** A typed code, one at a time (works without JavaScript); with JavaScript the page talks to /admin/check-in/scans. */
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "check-in:attendees");
  return handleForm(request, CheckInFormSchema, async ({ code }) => formSuccess(null, await checkIn(viewer, { scanId: crypto.randomUUID(), code })));
}

type Result = Omit<SyncedScan, "scanId"> & { offline?: boolean };
type DoorBadge = { token: string; name: string; category: string; checkedIn: boolean };

const LIST_KEY = "liaison.check-in.badges";
const QUEUE_KEY = "liaison.check-in.queue";
const USED_KEY = "liaison.check-in.used";
const RETRY_MS = 15_000;

const read = <T,>(key: string, fallback: T): T => {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "") as T;
  } catch {
    return fallback;
  }
};
const write = (key: string, value: unknown) => localStorage.setItem(key, JSON.stringify(value));
const queueStore: QueueStore = { load: () => read<QueuedScan[]>(QUEUE_KEY, []), save: (queue) => write(QUEUE_KEY, queue) };

/** One POST of scans; a redirect is not followed, so an expired session shows as one rather than as a sign-in page. */
async function postScans(scans: QueuedScan[]): Promise<SyncAnswer> {
  let response: Response;
  try {
    response = await fetch("/admin/check-in/scans", { method: "POST", redirect: "manual", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ scans }) });
  } catch {
    return { kind: "offline" };
  }
  return readSyncAnswer(response);
}

const OUTCOME_TITLES = { checked_in: "Admit", duplicate: "Already used", refused: "Do not admit" } as const;

export default function CheckIn() {
  const page = useLoaderData<typeof loader>();
  const served = useActionData<typeof action>();
  const [result, setResult] = useState<Result | null>(null);
  const [queued, setQueued] = useState(0);
  const [flagged, setFlagged] = useState<Result[]>([]);
  const [problem, setProblem] = useState<{ text: string; signIn: boolean } | null>(null);
  const [online, setOnline] = useState(true);
  const [camera, setCamera] = useState<"unsupported" | "off" | "on">("unsupported");
  const videoRef = useRef<HTMLVideoElement>(null);
  const flushing = useRef(false);

  // The list this phone was given: kept for when the connection drops.
  useEffect(() => {
    write(LIST_KEY, page.badges);
    const used = new Set(read<string[]>(USED_KEY, []));
    for (const badge of page.badges) if (badge.checkedIn) used.add(badge.token);
    write(USED_KEY, [...used]);
    setQueued(queueStore.load().length);
    setOnline(navigator.onLine);
    if ("BarcodeDetector" in window) setCamera("off");
  }, [page.badges]);

  const report = useCallback((stopped: FlushOutcome["stopped"], left: number) => {
    setQueued(left);
    const text = describeStop(stopped, left);
    setProblem(text ? { text, signIn: stopped?.kind === "signed_out" } : null);
    setOnline(stopped?.kind !== "offline");
  }, []);

  /** Sends the queue in batches; what is not answered stays queued for the next try. */
  const flush = useCallback(async () => {
    if (flushing.current || queueStore.load().length === 0) return;
    flushing.current = true;
    try {
      const outcome = await flushQueue(queueStore, postScans);
      setFlagged((previous) => [...previous, ...outcome.results.filter((r) => r.outcome !== "checked_in")]);
      report(outcome.stopped, outcome.left);
    } finally {
      flushing.current = false;
    }
  }, [report]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      void flush();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    // The online event does not come for a server that was unreachable or a session signed in again elsewhere.
    const retry = window.setInterval(() => void flush(), RETRY_MS);
    void flush();
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      window.clearInterval(retry);
    };
  }, [flush]);

  /** Decides from this phone's own list, and queues the scan for the server. */
  const offlineScan = useCallback((scan: QueuedScan): Result => {
    const badge = read<DoorBadge[]>(LIST_KEY, []).find((b) => b.token === scan.code);
    const used = new Set(read<string[]>(USED_KEY, []));
    queueStore.save([...queueStore.load(), scan]);
    setQueued(queueStore.load().length);
    if (!badge) return { outcome: "refused", message: "Not on this phone's list of valid badges: do not admit.", name: null, category: null, offline: true };
    if (used.has(scan.code)) return { outcome: "duplicate", message: `Already used: ${badge.name} was checked in before. Check their identity.`, name: badge.name, category: badge.category, offline: true };
    used.add(scan.code);
    write(USED_KEY, [...used]);
    return { outcome: "checked_in", message: `Welcome, ${badge.name}. (Offline: sent when the connection returns.)`, name: badge.name, category: badge.category, offline: true };
  }, []);

  const handle = useCallback(
    async (code: string) => {
      const scan: QueuedScan = { scanId: crypto.randomUUID(), code: code.trim(), scannedAt: new Date().toISOString() };
      if (!scan.code) return;
      // Not queued: it cannot be a badge, and the server would refuse the batch it was in.
      if (!isSendableCode(scan.code)) {
        setResult({ outcome: "refused", message: "That is not a badge code: do not admit.", name: null, category: null });
        return;
      }
      if (navigator.onLine) {
        const answer = await postScans([scan]);
        const [answered] = answer.kind === "sent" ? answer.results : [];
        if (answered) {
          if (answered.outcome === "checked_in") write(USED_KEY, [...new Set([...read<string[]>(USED_KEY, []), scan.code])]);
          setResult(answered);
          setOnline(true);
          void flush();
          return;
        }
        setResult(offlineScan(scan));
        report(answer.kind === "sent" ? null : answer, queueStore.load().length);
        return;
      }
      setResult(offlineScan(scan));
    },
    [offlineScan, flush, report],
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem("code");
    if (!(input instanceof HTMLInputElement)) return;
    void handle(input.value).then(() => {
      input.value = "";
      input.focus();
    });
  }

  useEffect(() => {
    if (camera !== "on") return;
    let stopped = false;
    let stream: MediaStream | null = null;
    const Detector = (window as unknown as { BarcodeDetector: new (options: { formats: string[] }) => { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> } }).BarcodeDetector;
    const detector = new Detector({ formats: ["qr_code"] });
    let last = "";
    void (async () => {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play();
      while (!stopped) {
        const codes = await detector.detect(video).catch(() => []);
        const code = codes[0]?.rawValue;
        if (code && code !== last) {
          last = code;
          await handle(code);
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    })().catch(() => setCamera("off"));
    return () => {
      stopped = true;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [camera, handle]);

  const shown: Result | null = result ?? (served?.status === "success" ? served.data : null);
  return (
    <section>
      <p>
        <Link to="/admin/registrations">← Registrations</Link>
      </p>
      <h1>Check-in: {page.conference}</h1>
      <p>
        {page.counts.checkedIn} of {page.counts.seated} checked in. {online ? "Online." : "Offline: scans are checked against this phone's list and sent when the connection returns. Keep this page open: it cannot load again without a connection."}
        {queued > 0 ? ` ${queued} ${queued === 1 ? "scan" : "scans"} waiting to be sent.` : ""}
      </p>
      {problem ? (
        <p className="notice error" role="alert">
          {problem.text} {problem.signIn ? <a href={`/login?${new URLSearchParams({ redirectTo: "/admin/check-in" })}`}>Sign in</a> : null}
        </p>
      ) : null}
      <div aria-live="assertive" role="status">
        {shown ? (
          <div className={`scan-result ${shown.outcome}`}>
            <strong>{OUTCOME_TITLES[shown.outcome]}</strong>
            <p>{shown.message}</p>
            {shown.category ? <p>{shown.category}</p> : null}
          </div>
        ) : null}
      </div>
      <ValidatedForm reply={served} intent="check-in" constraints={page.constraints} onSubmit={submit}>
        <Field name="code" label="Badge code" hint="Scan it, or type the code printed under the QR code." autoComplete="off" autoCapitalize="off" spellCheck={false} />
        <SubmitButton>Check in</SubmitButton>
      </ValidatedForm>
      {camera !== "unsupported" ? (
        <div className="scanner">
          <button type="button" onClick={() => setCamera(camera === "on" ? "off" : "on")}>
            {camera === "on" ? "Stop the camera" : "Scan with the camera"}
          </button>
          {camera === "on" ? <video ref={videoRef} muted playsInline aria-label="Camera view for scanning badges" /> : null}
        </div>
      ) : (
        <p className="hint">This browser cannot read QR codes from the camera: use a scanner that types, or type the code.</p>
      )}
      {flagged.length > 0 ? (
        <section aria-labelledby="flagged-title" className="card">
          <h2 id="flagged-title">Flagged when the offline scans were sent</h2>
          <ul>
            {flagged.map((item, index) => (
              <li key={index}>
                <strong>{OUTCOME_TITLES[item.outcome]}</strong>: {item.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
