import type { LinksFunction } from "react-router";
import { TRACK_STYLESHEET } from "#app/shared/track-colours.ts";
import agendaStyles from "#app/styles/agenda.css?url";

/** The program pages' stylesheets: their layout, and the tracks' colours. */
export const agendaLinks: LinksFunction = () => [
  { rel: "stylesheet", href: agendaStyles },
  { rel: "stylesheet", href: TRACK_STYLESHEET },
];
