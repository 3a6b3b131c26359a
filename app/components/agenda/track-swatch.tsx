/**
 * A track's colour. The colour is data, and the CSP allows no inline style: an SVG fill is a presentation attribute,
 * which it does allow.
 */
export function TrackSwatch({ colour }: { colour: string }) {
  return (
    <svg className="swatch" viewBox="0 0 1 1" aria-hidden="true">
      <rect width="1" height="1" fill={colour} />
    </svg>
  );
}
