import type { ActionFunctionArgs as RouterActionArgs, AppLoadContext, LoaderFunctionArgs as RouterLoaderArgs } from "react-router";

/** Loader and action arguments with the load context typed (React Router leaves it `any` unless middleware is on). */
export type LoaderFunctionArgs = RouterLoaderArgs<AppLoadContext>;
export type ActionFunctionArgs = RouterActionArgs<AppLoadContext>;
