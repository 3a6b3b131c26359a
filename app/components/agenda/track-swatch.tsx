import { trackClass } from "#app/shared/track-colours.ts";

/** A square of the track's colour, beside its name. */
export function TrackSwatch({ colour }: { colour: string }) {
  return <span className={`swatch ${trackClass(colour)}`} aria-hidden="true" />;
}
