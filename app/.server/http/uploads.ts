import crypto from "node:crypto";
import { parseFormData, type FileUpload } from "@remix-run/form-data-parser";
import { config } from "../config.ts";
import { InvalidError, TooLargeError } from "../errors.ts";
import { fileStorage } from "../storage/file-storage.ts";
import { describeBytes, isMultipart } from "./body-limit.ts";
import { boundedRequest, isParserLimitError } from "./forms.ts";

export type UploadOptions = {
  /** The largest file this route takes, in bytes (at most UPLOAD_MAX_BYTES, the transport's bound). */
  maxBytes: number;
  /** Media types (`application/pdf`), families (`image/*`) or extensions (`.pptx`) the route takes; any other file is refused. */
  accept: readonly string[];
  /** How many files one request may carry (default 1). */
  maxFiles?: number;
  /** Where the files go in storage: `materials/<sessionId>/`; a random id follows. */
  keyPrefix: string;
};

export type StoredUpload = { field: string; key: string; name: string; type: string; size: number };

export type Upload = {
  /** The text fields, to parse with the form's zod schema (a file field holds its storage key). */
  formData: FormData;
  files: StoredUpload[];
  /** Removes the stored files: call it when the change that was to record them fails. */
  discard(): Promise<void>;
};

/**
 * Reads a multipart form with files and puts the files in storage (`fileStorage()`); the only way a route takes files.
 * A file over `maxBytes`, more files than allowed or a body over its bound: TooLargeError (413), nothing more of the body
 * is read and no file of the request is kept. A file of another type: InvalidError on its field (400).
 */
export async function readUpload(request: Request, options: UploadOptions): Promise<Upload> {
  const { maxBytes, accept, maxFiles = 1, keyPrefix } = options;
  const cfg = config();
  if (maxBytes > cfg.limits.uploadBytes) throw new Error(`An upload limit of ${maxBytes} bytes is over UPLOAD_MAX_BYTES.`);
  if (!isMultipart(request.headers.get("content-type"))) throw new Response("The form could not be read.", { status: 400 });
  const tooLarge = new TooLargeError(
    maxFiles === 1
      ? `The file is larger than the ${describeBytes(maxBytes)} this form accepts.`
      : `Send at most ${maxFiles} files of up to ${describeBytes(maxBytes)} each.`,
  );
  const bodyBytes = maxBytes * maxFiles + cfg.limits.formBytes;
  let bounded: ReturnType<typeof boundedRequest>;
  try {
    bounded = boundedRequest(request, bodyBytes);
  } catch {
    throw tooLarge;
  }

  const storage = fileStorage();
  const files: StoredUpload[] = [];
  const discard = async () => {
    await Promise.all(files.splice(0).map((file) => storage.remove(file.key)));
  };
  const store = async (file: FileUpload): Promise<string | null> => {
    if (file.name === "" && file.size === 0) return null; // a file input left empty
    if (!accepts(accept, file)) {
      throw new InvalidError({ [file.fieldName]: [`Choose a file of one of these kinds: ${accept.join(", ")}.`] });
    }
    const key = `${keyPrefix}${crypto.randomUUID()}`;
    files.push({ field: file.fieldName, key, name: file.name, type: file.type, size: file.size });
    await storage.put(key, file);
    return key;
  };

  try {
    const formData = await parseFormData(
      bounded.request,
      { maxFiles, maxFileSize: maxBytes, maxTotalSize: bodyBytes, maxHeaderSize: 8 * 1024 },
      store,
    );
    return { formData, files, discard };
  } catch (error) {
    await discard();
    if (bounded.exceeded() || isParserLimitError(error)) throw tooLarge;
    if (error instanceof InvalidError) throw error;
    throw new Response("The form could not be read.", { status: 400 });
  }
}

function accepts(accept: readonly string[], file: File): boolean {
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  return accept.some((entry) => {
    const wanted = entry.toLowerCase();
    if (wanted.startsWith(".")) return name.endsWith(wanted);
    if (wanted.endsWith("/*")) return type.startsWith(wanted.slice(0, -1));
    return type === wanted;
  });
}
