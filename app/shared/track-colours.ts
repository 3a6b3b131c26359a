/**
 * A track's colour reaches the page as a class, `track-<hex>`, which the stylesheet at /agenda/tracks.css gives the
 * custom property `--track`. The CSP allows no inline style, and a class costs a page less to render than the SVG
 * swatch it replaced (a program day shows sixty cards).
 */
export const TRACK_STYLESHEET = "/agenda/tracks.css";

/** Track colours are stored as "#rrggbb" in lowercase (the tracks table checks it). */
export function trackClass(colour: string): string {
  return `track-${colour.slice(1)}`;
}
