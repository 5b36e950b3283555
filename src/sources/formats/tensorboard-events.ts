/**
 * TensorBoard event files (`events.out.tfevents.*`), the log OpenRLHF and tunix write (they have
 * no text logger), and TRL, verl and any HF Trainer with `report_to="tensorboard"`.
 *
 * The file is a sequence of TFRecord frames: a little-endian uint64 length, the masked CRC-32C of
 * those 8 bytes, the record, the masked CRC-32C of the record. Each record is an `Event` protobuf
 * (tensorflow/core/util/event.proto): `wall_time` (1, double), `step` (2, int64) and, for
 * scalars, a `summary` (5) whose `value`s (1) carry a `tag` (1) and either a `simple_value`
 * (2, float: PyTorch's and tensorboardX's `add_scalar`) or a scalar `tensor` (8, TensorProto:
 * TF2's `tf.summary.scalar`, metrax, flax), whose plugin (`metadata` 9 -> `plugin_data` 1 ->
 * `plugin_name` 1) is named only the first time a tag is written.
 *
 * Mapping: every scalar of one step becomes one metric row under its tag as written, and rows go
 * through the alias table like every trainer's (`train/rewards/accuracy_reward/mean` from the HF
 * TensorBoard callback, OpenRLHF's `train/reward`, tunix's `rewards/train/score/mean`, verl's
 * `critic/score/mean`). Tags that say eval (`eval/`, `val-core/`, tunix's eval mode) form the
 * step's eval record, the rest its train record. A tag written twice at one step keeps its last
 * value. Steps are emitted in the order they first appear. Histograms, images, text and other
 * plugins' tensors are not metrics and are skipped without a word.
 *
 * Problems (each names the record and byte offset; nothing good is dropped): a record whose data
 * checksum fails or whose Event cannot be decoded is reported and skipped; a frame whose length
 * checksum fails, or a last frame cut short (a writer that stopped mid-record, or is writing it
 * now), ends the reading with one problem: past a bad length nothing can be framed. Infinite
 * values are read as missing and reported, like every reader's.
 */
import type { WholeFileFormat } from '../format.js';
import type { Ingested } from '../ingested.js';
import { infinityReason, problem, stepItem, stepProblem } from './adapter-kit.js';
import { maskedCrc32c } from './crc32c.js';
import { fields, readInt64, textOf, viewOf, WIRE, WireError, type WireField } from './protobuf-wire.js';
import { canonicalMetricName } from '../../core/aliases.js';
import { setOwn } from '../../core/own-key.js';

/** TensorFlow DataType codes of the numeric scalars read (types.proto). */
const DT = { float: 1, double: 2, int32: 3, int64: 9, bool: 10 } as const;

/** Bytes of a frame around its record: length (8), length CRC (4), data CRC (4). */
const HEADER = 12;
const FOOTER = 4;

/** One step's scalars, split by phase. */
interface StepRows {
  readonly train: Record<string, number>;
  readonly eval: Record<string, number>;
}

/** One file's bytes and what reading it has gathered so far. */
interface EventFile {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Scalars by step, in the order steps first appear. */
  readonly steps: Map<number, StepRows>;
  /** Each tag's plugin, named only with its first value (TF2). */
  readonly plugins: Map<string, string>;
  /** Each tag's phase, read once through the alias table. */
  readonly phases: Map<string, 'train' | 'eval'>;
}

/** What `readScalar` found in one `Summary.Value`. */
type Scalar = { readonly tag: string; readonly value: number } | undefined;

export const tensorboardEvents: WholeFileFormat = {
  kind: 'whole-file',
  name: 'tensorboard-events',
  // Every writer opens the file with an Event whose file_version is "brain.Event:2".
  detect: (head) => head.slice(0, 64).includes('brain.Event:'),
  parse: (content, source) => tensorboardItems(content, source),
};

/** The items of a whole event file (see the module comment). O(bytes). */
export function tensorboardItems(content: Uint8Array, source: string): Ingested[] {
  const view = viewOf(content);
  const file: EventFile = { bytes: content, view, steps: new Map(), plugins: new Map(), phases: new Map() };
  const problems: Ingested[] = [];
  let at = 0;
  let index = 0;
  while (at < content.length) {
    index++;
    const where = `record ${String(index)} at byte ${String(at)}`;
    const left = content.length - at;
    if (left < HEADER) {
      problems.push(problem(source, 0, `${where}: the last frame is cut off (${String(left)} of its 12 header bytes); the writer stopped mid-record or is still writing it`, ''));
      break;
    }
    const low = view.getUint32(at, true);
    const high = view.getUint32(at + 4, true);
    if (view.getUint32(at + 8, true) !== maskedCrc32c(content, at, at + 8)) {
      problems.push(problem(source, 0, `${where}: the length checksum does not match; the remaining ${String(left)} bytes cannot be framed and are skipped`, ''));
      break;
    }
    const length = high * 2 ** 32 + low;
    if (length + HEADER + FOOTER > left) {
      problems.push(problem(source, 0, `${where}: the last record is cut off (${String(left - HEADER)} of ${String(length + FOOTER)} bytes); the writer stopped mid-record or is still writing it`, ''));
      break;
    }
    const start = at + HEADER;
    const end = start + length;
    at = end + FOOTER;
    if (view.getUint32(end, true) !== maskedCrc32c(content, start, end)) {
      problems.push(problem(source, 0, `${where}: the data checksum does not match; record skipped`, ''));
      continue;
    }
    try {
      readEvent(file, start, end, (reason) => problems.push(problem(source, 0, `${where}: ${reason}`, '')));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      problems.push(problem(source, 0, `${where}: not a readable Event (${error.message}); record skipped`, ''));
    }
  }
  const items: Ingested[] = [];
  for (const [step, rows] of file.steps) {
    for (const row of [rows.train, rows.eval]) {
      if (Object.keys(row).length === 0) continue;
      const infinite = infinityReason(row);
      if (infinite !== undefined) items.push(problem(source, 0, `step ${String(step)}: ${infinite}`, ''));
      items.push(stepItem(step, row));
    }
  }
  return [...problems, ...items];
}

/** Reads one Event's scalars into `steps`. Throws WireError on a malformed message. */
function readEvent(file: EventFile, start: number, end: number, report: (reason: string) => void): void {
  const { bytes, steps, phases } = file;
  let step = 0;
  let summary: WireField | undefined;
  for (const field of fields(bytes, start, end)) {
    if (field.field === 2 && field.wire === WIRE.varint) [step] = readInt64(bytes, field.start, field.end);
    else if (field.field === 5 && field.wire === WIRE.bytes) summary = field;
  }
  if (summary === undefined) return; // file_version, graphs, session logs: no scalars
  const scalars: { tag: string; value: number }[] = [];
  for (const value of fields(bytes, summary.start, summary.end)) {
    if (value.field !== 1 || value.wire !== WIRE.bytes) continue;
    const scalar = readScalar(file, value);
    if (scalar !== undefined) scalars.push(scalar);
  }
  if (scalars.length === 0) return;
  const bad = stepProblem(step);
  if (bad !== undefined) {
    report(`${bad}; its ${String(scalars.length)} scalar${scalars.length === 1 ? '' : 's'} skipped`);
    return;
  }
  let rows = steps.get(step);
  if (rows === undefined) {
    rows = { train: {}, eval: {} };
    steps.set(step, rows);
  }
  for (const { tag, value } of scalars) {
    let phase = phases.get(tag);
    if (phase === undefined) {
      phase = canonicalMetricName(tag)?.phase ?? 'train';
      phases.set(tag, phase);
    }
    setOwn(phase === 'eval' ? rows.eval : rows.train, tag, value);
  }
}

/** The tag and number of one `Summary.Value`, or undefined when it is not a numeric scalar. */
function readScalar(file: EventFile, value: WireField): Scalar {
  const { bytes, view, plugins } = file;
  let tag: string | undefined;
  let simple: number | undefined;
  let tensor: WireField | undefined;
  let plugin: string | undefined;
  for (const field of fields(bytes, value.start, value.end)) {
    if (field.field === 1 && field.wire === WIRE.bytes) tag = textOf(bytes, field);
    else if (field.field === 2 && field.wire === WIRE.fixed32) simple = view.getFloat32(field.start, true);
    else if (field.field === 8 && field.wire === WIRE.bytes) tensor = field;
    else if (field.field === 9 && field.wire === WIRE.bytes) plugin = pluginName(bytes, field);
  }
  if (tag === undefined) return undefined;
  if (plugin !== undefined) plugins.set(tag, plugin);
  if (simple !== undefined) return { tag, value: simple };
  if (tensor === undefined) return undefined;
  const known = plugins.get(tag);
  if (known !== undefined && known !== 'scalars') return undefined;
  const number = tensorScalar(file, tensor);
  return number === undefined ? undefined : { tag, value: number };
}

/** `SummaryMetadata.plugin_data.plugin_name`, or undefined. */
function pluginName(bytes: Uint8Array, metadata: WireField): string | undefined {
  for (const field of fields(bytes, metadata.start, metadata.end)) {
    if (field.field !== 1 || field.wire !== WIRE.bytes) continue;
    for (const inner of fields(bytes, field.start, field.end)) {
      if (inner.field === 1 && inner.wire === WIRE.bytes) return textOf(bytes, inner);
    }
  }
  return undefined;
}

/**
 * The single number of a TensorProto holding one float, double, int32, int64 or bool (TF2
 * scalar summaries), read from its typed value list or its raw `tensor_content`; undefined for
 * other types and for tensors of more than one element.
 */
function tensorScalar(file: EventFile, tensor: WireField): number | undefined {
  const { bytes, view } = file;
  let dtype = 0;
  let elements = 1;
  const values: number[] = [];
  let content: WireField | undefined;
  for (const field of fields(bytes, tensor.start, tensor.end)) {
    switch (field.field) {
      case 1:
        if (field.wire === WIRE.varint) dtype = field.varint;
        break;
      case 2: // TensorShapeProto: repeated Dim dim = 2 { int64 size = 1 }
        for (const dim of fields(bytes, field.start, field.end)) {
          if (dim.field !== 2 || dim.wire !== WIRE.bytes) continue;
          for (const size of fields(bytes, dim.start, dim.end)) if (size.field === 1 && size.wire === WIRE.varint) elements *= size.varint;
        }
        break;
      case 4:
        if (field.wire === WIRE.bytes) content = field;
        break;
      case 5: // float_val, packed or not
        if (field.wire === WIRE.fixed32) values.push(view.getFloat32(field.start, true));
        else if (field.wire === WIRE.bytes) for (let i = field.start; i + 4 <= field.end; i += 4) values.push(view.getFloat32(i, true));
        break;
      case 6: // double_val
        if (field.wire === WIRE.fixed64) values.push(view.getFloat64(field.start, true));
        else if (field.wire === WIRE.bytes) for (let i = field.start; i + 8 <= field.end; i += 8) values.push(view.getFloat64(i, true));
        break;
      case 7: // int_val
      case 10: // int64_val
      case 11: // bool_val
        if (field.wire === WIRE.varint) values.push(readInt64(bytes, field.start, field.end)[0]);
        else if (field.wire === WIRE.bytes) values.push(...packedVarints(bytes, field));
        break;
    }
  }
  if (elements !== 1) return undefined;
  if (content !== undefined && content.end > content.start) {
    const at = content.start;
    const size = content.end - content.start;
    if (dtype === DT.float && size === 4) return view.getFloat32(at, true);
    if (dtype === DT.double && size === 8) return view.getFloat64(at, true);
    if (dtype === DT.int32 && size === 4) return view.getInt32(at, true);
    if (dtype === DT.int64 && size === 8) return Number(view.getBigInt64(at, true));
    if (dtype === DT.bool && size === 1) return bytes[at]!;
    return undefined;
  }
  const numeric = dtype === DT.float || dtype === DT.double || dtype === DT.int32 || dtype === DT.int64 || dtype === DT.bool;
  return numeric && values.length === 1 ? values[0] : undefined;
}

/** The signed values of a packed varint list. */
function packedVarints(bytes: Uint8Array, field: WireField): number[] {
  const out: number[] = [];
  for (let at = field.start; at < field.end; ) {
    const [value, next] = readInt64(bytes, at, field.end);
    out.push(value);
    at = next;
  }
  return out;
}
