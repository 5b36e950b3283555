/**
 * Which input format a file is in, decided from its first bytes. Each format's `detect` looks
 * at the head; the registry (formats/index.ts) is ordered so that stricter formats are asked
 * first. `--format` (the `format` option of `fromFile`) skips detection.
 */
import { open } from 'node:fs/promises';
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
    throw new UnreadableInputError(path, describeFsError(error), { cause: error });
  }
}
