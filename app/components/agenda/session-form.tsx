import { useId, type ReactNode } from "react";
import { Form } from "react-router";
import { Field, FormErrors, SelectField, SubmitButton, TextareaField } from "#app/components/forms.tsx";
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

type Errors = Partial<Record<string, string[]>> | undefined;

/** The organizers' form for a session; times are the venue's. Works without JavaScript. */
export function SessionForm({
  options,
  values,
  errors,
  hidden,
  submitLabel,
  limits,
  children,
}: {
  options: EditorOptions;
  values: SessionFormValues;
  errors: Errors;
  hidden: Record<string, string>;
  submitLabel: string;
  limits: { title: number; abstract: number };
  /** More fields of the form (an intent). */
  children?: ReactNode;
}) {
  const speakersId = useId();
  const speakerErrors = errors?.speakerIds;
  return (
    <Form method="post" className="form session-editor" noValidate>
      <FormErrors errors={errors} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <Field name="title" label="Title" defaultValue={values.title} maxLength={limits.title} required errors={errors} />
      <SelectField name="type" label="Type" defaultValue={values.type} options={Object.entries(SESSION_TYPE_LABELS).map(([value, label]) => ({ value, label }))} errors={errors} />
      <SelectField name="day" label="Day" defaultValue={values.day} options={options.days} errors={errors} />
      <Field
        name="start"
        label="Starts at"
        type="time"
        hint={`${options.conference.timeZone.replace(/_/g, " ")} time, the venue's.`}
        defaultValue={values.start}
        required
        errors={errors}
      />
      <Field name="end" label="Ends at" type="time" hint="An end before the start means the next day." defaultValue={values.end} required errors={errors} />
      <SelectField name="roomId" label="Room" defaultValue={values.roomId} options={[{ value: "", label: "No room (everywhere, or off site)" }, ...options.rooms]} errors={errors} />
      <SelectField name="trackId" label="Track" defaultValue={values.trackId} options={[{ value: "", label: "No track" }, ...options.tracks]} errors={errors} />
      <Field name="capacity" label="Seats (if limited)" inputMode="numeric" defaultValue={values.capacity} errors={errors} />
      <SelectField
        name="audience"
        label="Open to"
        defaultValue={values.audience}
        options={[
          { value: "public", label: "Everyone (public)" },
          { value: "attendees", label: AUDIENCE_LABELS.attendees },
          { value: "members", label: AUDIENCE_LABELS.members },
        ]}
        errors={errors}
      />
      <fieldset className="field speaker-choice" aria-describedby={speakerErrors?.length ? `${speakersId}-error` : undefined}>
        <legend>Speakers</legend>
        <div className="speaker-options">
          {options.speakers.map((speaker) => (
            <label key={speaker.value}>
              <input type="checkbox" name="speakerIds" value={speaker.value} defaultChecked={values.speakerIds.includes(speaker.value)} /> {speaker.label}
            </label>
          ))}
        </div>
        {speakerErrors?.length ? (
          <p className="field-error" id={`${speakersId}-error`}>
            {speakerErrors.join(" ")}
          </p>
        ) : null}
      </fieldset>
      <TextareaField name="abstract" label="Description (markdown)" rows={8} maxLength={limits.abstract} defaultValue={values.abstract} errors={errors} />
      <SubmitButton>{submitLabel}</SubmitButton>
    </Form>
  );
}
