/**
 * The month-inputs file (Optimize → Simulate, `runKeys.monthInputs(month)`): one month's `MonthInputs`, exact to
 * the bit. Layout: the magic `HTSMINP1`, a u32 (little-endian) byte length, a JSON header (dimensions, scalars,
 * the dataset's symbol list and the sections' places), then the sections, each the raw little-endian bytes of a
 * typed array starting on an 8-byte boundary. Per-hour panels store each row once when it repeats the previous
 * stored row bit for bit (ADV and daily volatility change once a session): a `rowOf` index per hour and the
 * distinct rows. JSON keeps finite doubles exact (shortest round-trip form), so the scalars round-trip too.
 */
import { z } from 'zod';
import { DataIntegrityError, InvalidInputError } from '../../core/index.ts';
import type { MonthInputs } from '../../portfolio/index.ts';

const MAGIC = 'HTSMINP1';
const VERSION = 1;
/** Bytes before the header: the magic and the header's length. */
const HEAD = MAGIC.length + 4;

const TYPES = { f64: Float64Array, i32: Int32Array, i16: Int16Array, u8: Uint8Array } as const;
type SectionType = keyof typeof TYPES;
interface ArrayOf {
  f64: Float64Array;
  i32: Int32Array;
  i16: Int16Array;
  u8: Uint8Array;
}
type Typed = Float64Array | Int32Array | Int16Array | Uint8Array;

const Section = z
  .object({
    name: z.string(),
    type: z.enum(['f64', 'i32', 'i16', 'u8']),
    offset: z.number().int().min(0),
    length: z.number().int().min(0),
  })
  .strict();
type Section = z.infer<typeof Section>;

const count = z.number().int().min(0);
const Header = z
  .object({
    version: z.literal(VERSION),
    firstBar: z.number().int(),
    nHours: count,
    nA: count,
    k: count,
    nSectors: count,
    horizonBars: z.number().int().min(1),
    barsPerYear: z.number().gt(0),
    symbols: z.array(z.string()),
    sections: z.array(Section),
  })
  .strict();
type Header = z.infer<typeof Header>;

/** The per-hour panels (nHours rows of nA values; sectorBench: of nSectors). */
const PANELS = ['alpha', 'eligible', 'advDollars', 'dailyVol', 'sectorBench'] as const;

function checkLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new InvalidInputError('the month-inputs file is little-endian; this platform is not');
  }
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const bytesOf = (x: Typed): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
const typeOf = (x: Typed): SectionType =>
  x instanceof Float64Array
    ? 'f64'
    : x instanceof Int32Array
      ? 'i32'
      : x instanceof Int16Array
        ? 'i16'
        : 'u8';

/** Rows (of `rowLength` elements) stored once while they repeat the previous stored row bit for bit. */
function packRows(x: Typed, nRows: number, rowLength: number): { rowOf: Int32Array; rows: Typed } {
  const b = bytesOf(x);
  const rowBytes = rowLength * x.BYTES_PER_ELEMENT;
  const rowOf = new Int32Array(nRows);
  const keep: number[] = [];
  for (let h = 0; h < nRows; h++) {
    const last = keep.length - 1;
    if (last >= 0 && sameBytes(b, keep[last]! * rowBytes, h * rowBytes, rowBytes)) {
      rowOf[h] = last;
      continue;
    }
    rowOf[h] = keep.length;
    keep.push(h);
  }
  const rows = new TYPES[typeOf(x)](keep.length * rowLength);
  keep.forEach((h, j) => {
    rows.set(x.subarray(h * rowLength, (h + 1) * rowLength), j * rowLength);
  });
  return { rowOf, rows };
}

function checkLength(name: string, x: Typed, length: number): void {
  if (x.length !== length) {
    throw new InvalidInputError(`month inputs: ${name} holds ${x.length} values, expected ${length}`, {
      field: name,
    });
  }
}

function sameBytes(b: Uint8Array, i: number, j: number, n: number): boolean {
  for (let q = 0; q < n; q++) if (b[i + q] !== b[j + q]) return false;
  return true;
}

/** Encodes `inputs` with the dataset's symbol list (index a of every per-name array). */
export function encodeMonthInputs(inputs: MonthInputs, symbols: readonly string[]): Uint8Array {
  checkLittleEndian();
  const { nHours, nA, risk, nSectors } = inputs;
  if (symbols.length !== nA || risk.nA !== nA) {
    throw new InvalidInputError(
      `month inputs of ${nA} names, ${symbols.length} symbols, a risk model of ${risk.nA}`,
      { field: 'symbols' },
    );
  }
  for (const [name, v] of [
    ['firstBar', inputs.firstBar],
    ['barsPerYear', inputs.barsPerYear],
  ] as const) {
    if (!Number.isFinite(v) || Object.is(v, -0)) {
      throw new InvalidInputError(`${name} must be finite, received ${v}`, { field: name });
    }
  }
  const arrays: [string, Typed][] = [
    ['closeMs', inputs.closeMs],
    ['risk.loadings', risk.loadings],
    ['risk.factorCov', risk.factorCov],
    ['risk.specificVar', risk.specificVar],
    ['sector', inputs.sector],
  ];
  const lengths = [nHours, nA * risk.k, risk.k * risk.k, nA, nA];
  for (const [i, [name, x]] of arrays.entries()) checkLength(name, x, lengths[i]!);
  for (const name of PANELS) {
    const rowLength = name === 'sectorBench' ? nSectors : nA;
    checkLength(name, inputs[name], nHours * rowLength);
    const packed = packRows(inputs[name], nHours, rowLength);
    arrays.push([`${name}.rowOf`, packed.rowOf], [name, packed.rows]);
  }
  // section offsets are relative to the data area, which starts at the first 8-byte boundary after the header
  let offset = 0;
  const sections: Section[] = arrays.map(([name, x]) => {
    const s = { name, type: typeOf(x), offset, length: x.length };
    offset = align8(offset + x.byteLength);
    return s;
  });
  const header: Header = {
    version: VERSION,
    firstBar: inputs.firstBar,
    nHours,
    nA,
    k: risk.k,
    nSectors,
    horizonBars: inputs.horizonBars,
    barsPerYear: inputs.barsPerYear,
    symbols: [...symbols],
    sections,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const data = align8(HEAD + json.length);
  const out = new Uint8Array(data + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, HEAD);
  arrays.forEach(([, x], i) => {
    out.set(bytesOf(x), data + sections[i]!.offset);
  });
  return out;
}

/** Decodes a month-inputs file; `source` names it in errors. */
export function decodeMonthInputs(
  bytes: Uint8Array,
  source: string,
): { inputs: MonthInputs; symbols: readonly string[] } {
  checkLittleEndian();
  const fail = (what: string, rule: string): never => {
    throw new DataIntegrityError(`${source}: ${what}`, { dataset: source, rule });
  };
  if (bytes.length < HEAD || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    fail(`not a month-inputs file (no ${MAGIC} magic)`, 'month_inputs_magic');
  }
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    MAGIC.length,
    true,
  );
  if (HEAD + headLength > bytes.length) fail('truncated header', 'month_inputs_header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(HEAD, HEAD + headLength)));
  } catch {
    fail('the header is not JSON', 'month_inputs_header');
  }
  const h = Header.safeParse(parsed);
  if (!h.success) return fail(`bad header: ${h.error.issues[0]?.message}`, 'month_inputs_header');
  const header = h.data;
  const { nHours, nA, k, nSectors } = header;
  if (header.symbols.length !== nA)
    fail(`${header.symbols.length} symbols for ${nA} names`, 'month_inputs_header');
  const data = align8(HEAD + headLength);
  const section = (name: string): Section =>
    header.sections.find((x) => x.name === name) ?? fail(`no section ${name}`, 'month_inputs_section');
  const read = <T extends SectionType>(name: string, type: T, length?: number): ArrayOf[T] => {
    const s = section(name);
    if (s.type !== type || (length !== undefined && s.length !== length)) {
      fail(`section ${name} is not ${length ?? ''} × ${type}`, 'month_inputs_section');
    }
    const from = data + s.offset;
    const to = from + s.length * TYPES[type].BYTES_PER_ELEMENT;
    if (to > bytes.length) fail(`section ${name} is truncated`, 'month_inputs_section');
    // a copy: its buffer starts at 0, so every element is aligned whatever the input's byteOffset
    return new TYPES[type](bytes.slice(from, to).buffer) as ArrayOf[T];
  };
  const unpack = <T extends SectionType>(name: string, type: T, rowLength: number): ArrayOf[T] => {
    const rowOf = read(`${name}.rowOf`, 'i32', nHours);
    const rows = bytesOf(read(name, type));
    const rowBytes = rowLength * TYPES[type].BYTES_PER_ELEMENT;
    if (rowBytes > 0 ? rows.length % rowBytes !== 0 : rows.length !== 0) {
      fail(`section ${name} is not whole rows of ${rowLength}`, 'month_inputs_section');
    }
    const nRows = rowBytes > 0 ? rows.length / rowBytes : 0;
    const out = new Uint8Array(nHours * rowBytes);
    for (let t = 0; t < nHours; t++) {
      const r = rowOf[t]!;
      if (!(r >= 0 && r < nRows)) {
        fail(`${name}: hour ${t} points at row ${r} of ${nRows}`, 'month_inputs_section');
      }
      out.set(rows.subarray(r * rowBytes, (r + 1) * rowBytes), t * rowBytes);
    }
    return new TYPES[type](out.buffer) as ArrayOf[T];
  };
  const inputs: MonthInputs = {
    firstBar: header.firstBar,
    nHours,
    nA,
    closeMs: read('closeMs', 'f64', nHours),
    horizonBars: header.horizonBars,
    barsPerYear: header.barsPerYear,
    risk: {
      nA,
      k,
      loadings: read('risk.loadings', 'f64', nA * k),
      factorCov: read('risk.factorCov', 'f64', k * k),
      specificVar: read('risk.specificVar', 'f64', nA),
    },
    sector: read('sector', 'i16', nA),
    nSectors,
    alpha: unpack('alpha', 'f64', nA),
    eligible: unpack('eligible', 'u8', nA),
    advDollars: unpack('advDollars', 'f64', nA),
    dailyVol: unpack('dailyVol', 'f64', nA),
    sectorBench: unpack('sectorBench', 'f64', nSectors),
  };
  return { inputs, symbols: header.symbols };
}
