import { useEffect, useId, useState } from "react";
import { Form, useSubmit } from "react-router";

export type ZoneChoice = { value: string; label: string };

/**
 * The time zone the program is shown in: a GET form (it works without JavaScript; the button applies it). With
 * JavaScript a change applies at once, and the viewer's own zone is offered when the list lacks it.
 */
export function ZoneSwitch({ active, choices, keep }: { active: string; choices: ZoneChoice[]; keep: Record<string, string | null | undefined> }) {
  const id = useId();
  const submit = useSubmit();
  const [device, setDevice] = useState<string | null>(null);
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !choices.some((choice) => choice.value === zone)) setDevice(zone);
  }, [choices]);
  return (
    <Form method="get" className="zone-switch" onChange={(event) => submit(event.currentTarget)}>
      {Object.entries(keep).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
      <label htmlFor={id}>Show times in</label>
      <select id={id} name="tz" defaultValue={active}>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
        {device ? <option value={device}>{device.replace(/_/g, " ")} (this device)</option> : null}
      </select>
      <button type="submit" className="secondary">
        Show
      </button>
    </Form>
  );
}
