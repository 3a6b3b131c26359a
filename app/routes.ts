import { index, route, type RouteConfig } from "@remix-run/route-config";

/** Every URL of the site, in one place. */
export default [
  index("routes/home.tsx"),
  route("pages/:slug", "routes/content-page.tsx"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
