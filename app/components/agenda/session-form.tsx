import { useId } from "react";
import { Field, replyFor, SelectField, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import type { FormConstraints, FormReply } from "#app/shared/form-reply.ts";
import type { EditorOptions } from "#app/.server/agenda/editor.ts";
import { AUDIENCE_LABELS, SESSION_TYPE_LABELS } from "./links.ts";

export type SessionFormValues = {
  title: string;
  type: string;
  day: string;
  start: string;
  end: string;
  roomId: string;
  trackId: string;
  capacity: string;
  audience: string;
  abstract: string;
  speakerIds: string[];
};

/** The organizers' form for a session; times are the venue's. Works without JavaScript. */
export function SessionForm({
  options,
  values,
  reply,
  intent,
  constraints,
  hidden,
  submitLabel,
}: {
  options: EditorOptions;
  values: SessionFormValues;
  reply: FormReply<unknown> | undefined;
  intent?: string;
  constraints: FormConstraints;
  hidden: Record<string, string>;
  submitLabel: string;
}) {
  const speakersId = useId();
  const mine = replyFor(reply, intent ?? null);
  const speakerErrors = mine?.status === "error" ? mine.errors.speakerIds : undefined;
  const sentSpeakers = mine?.status === "error" ? [mine.values.speakerIds ?? []].flat() : values.speakerIds;
  const defaults = { ...values, speakerIds: undefined };
  return (
    <ValidatedForm reply={reply} intent={intent} constraints={constraints} defaults={defaults} className="form session-editor">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Field name="title" label="Title" dir="auto" />
      <SelectField name="type" label="Type" options={Object.entries(SESSION_TYPE_LABELS).map(([value, label]) => ({ value, label }))} />
      <SelectField name="day" label="Day" options={options.days} />
      <Field name="start" label="Starts at" type="time" hint={`${options.conference.timeZone.replace(/_/g, " ")} time, the venue's.`} />
      <Field name="end" label="Ends at" type="time" hint="An end before the start means the next day." />
      <SelectField name="roomId" label="Room" options={[{ value: "", label: "No room (everywhere, or off site)" }, ...options.rooms]} />
      <SelectField name="trackId" label="Track" options={[{ value: "", label: "No track" }, ...options.tracks]} />
      <Field name="capacity" label="Seats (if limited)" inputMode="numeric" />
      <SelectField
        name="audience"
        label="Open to"
        options={[
          { value: "public", label: "Everyone (public)" },
          { value: "attendees", label: AUDIENCE_LABELS.attendees },
          { value: "members", label: AUDIENCE_LABELS.members },
        ]}
      />
      <fieldset className="field speaker-choice" id={`${intent ?? "form"}-speakerIds`} tabIndex={-1} aria-describedby={speakerErrors?.length ? `${speakersId}-error` : undefined}>
        <legend>Speakers</legend>
        <div className="speaker-options">
          {options.speakers.map((speaker) => (
            <label key={`${speaker.value}:${sentSpeakers.includes(speaker.value)}`}>
              <input type="checkbox" name="speakerIds" value={speaker.value} defaultChecked={sentSpeakers.includes(speaker.value)} /> {speaker.label}
            </label>
          ))}
        </div>
        {speakerErrors?.length ? (
          <p className="field-error" id={`${speakersId}-error`}>
            {speakerErrors.join(" ")}
          </p>
        ) : null}
      </fieldset>
      <TextareaField name="abstract" label="Description (markdown)" rows={8} />
      <SubmitButton>{submitLabel}</SubmitButton>
    </ValidatedForm>
  );
}
