import type { FileStorage } from "@remix-run/file-storage";
import { createFsFileStorage } from "@remix-run/file-storage/fs";
import { config } from "../config.ts";

export type { FileStorage };

const STORAGE = Symbol.for("liaison.file-storage");
type GlobalWithStorage = typeof globalThis & { [STORAGE]?: { dir: string | null; storage: FileStorage } };

/**
 * Where uploaded files live: one interface (@remix-run/file-storage's `FileStorage`: put, get, has, remove, list)
 * over local disk by default (UPLOAD_DIR). Several instances need a shared store instead: install one that implements
 * the same interface over S3 (@remix-run/file-storage-s3) at start-up, and nothing else changes.
 */
export function fileStorage(): FileStorage {
  const g = globalThis as GlobalWithStorage;
  const current = g[STORAGE];
  if (current && current.dir === null) return current.storage;
  const dir = config().uploads.dir;
  if (current?.dir !== dir) g[STORAGE] = { dir, storage: createFsFileStorage(dir) };
  return g[STORAGE]!.storage;
}

/** Replaces the store (an S3-compatible one, or a test's own); `undefined` goes back to the local directory. */
export function installFileStorage(storage: FileStorage | undefined): void {
  const g = globalThis as GlobalWithStorage;
  if (storage) g[STORAGE] = { dir: null, storage };
  else delete g[STORAGE];
}
