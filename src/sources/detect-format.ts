/**
 * Which input format a file is in, decided from its first bytes. Each format's `detect` looks
 * at the head; the registry (formats/index.ts) is ordered so that stricter formats are asked
 * first. `--format` (the `format` option of `fromFile`) skips detection.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FormatName, InputFormat } from './format.js';
import { FORMATS } from './formats/index.js';
import { describeFsError, stripBom, UnreadableInputError } from './line-reader.js';

/**
 * Bytes of a file read for detection (64 KiB): trainer consoles open with long banners and
 * JSONL samples can carry kilobytes of prompt before the first newline.
 */
export const DETECT_BYTES = 64 * 1024;

/**
 * The first format in `formats` (default: all, in registry order) whose `detect` accepts `head`.
 * O(formats × head).
 *
 * @example detectFormat('{"step": 3, "reward": 0.5}\n')?.name // => 'goodhart-jsonl'
 */
export function detectFormat(head: string, formats: readonly InputFormat[] = FORMATS): InputFormat | undefined {
  return formats.find((format) => format.detect(head));
}

/** The registered format called `name`; throws a TypeError naming the known ones otherwise. */
export function formatByName(name: string, formats: readonly InputFormat[] = FORMATS): InputFormat {
  const found = formats.find((format) => format.name === name);
  if (found === undefined) {
    throw new TypeError(`unknown format "${name}"; known formats: ${formats.map((format) => format.name).join(', ')}`);
  }
  return found;
}

/** The names of the registered formats, in detection order. */
export function formatNames(formats: readonly InputFormat[] = FORMATS): FormatName[] {
  return formats.map((format) => format.name);
}

/**
 * Reads up to `bytes` from the start of a file and decodes them as UTF-8 (a character cut at the
 * end becomes U+FFFD, which detection tolerates), without a byte order mark (`stripBom`).
 * Unreadable files throw `UnreadableInputError`.
 */
export async function readHead(path: string, bytes = DETECT_BYTES): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return stripBom(buffer.toString('utf8', 0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (error) {
    const hint = (error as { code?: unknown }).code === 'EISDIR' ? await eventFilesHint(path) : '';
    throw new UnreadableInputError(path, `${describeFsError(error)}${hint}`, { cause: error });
  }
}

/**
 * For a directory given where a file was expected: the TensorBoard event files in it, since
 * TensorBoard users know their log directory, not the file names the writer chose. Names start
 * with the writer's start time, so the last in order is the newest. Empty when there are none.
 */
async function eventFilesHint(directory: string): Promise<string> {
  try {
    const names = (await readdir(directory)).filter((name) => name.startsWith('events.out.tfevents.')).sort();
    if (names.length === 0) return '';
    const count = names.length === 1 ? 'a TensorBoard event file' : `${String(names.length)} TensorBoard event files`;
    return `; it holds ${count}: pass one, e.g. ${join(directory, names.at(-1)!)}${names.length > 1 ? ' (the newest)' : ''}`;
  } catch {
    return '';
  }
}
