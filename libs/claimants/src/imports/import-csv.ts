import { parse, type CsvError } from 'csv-parse';
import type { FieldProblem } from '../intake/intake-validator';

/** The header of an import file (api.md). Columns may come in any order; all must be there. */
export const IMPORT_COLUMNS = [
  'name',
  'birth_date',
  'phone',
  'email',
  'postal_code',
  'address1',
  'address2',
  'exposed_data',
  'notice_received_on',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Longest record accepted (characters). Far above any real row; an unclosed quote hits it quickly. */
export const MAX_RECORD_CHARS = 16_384;

/** One parsed record with where it sits in the file. */
export interface CsvRecord {
  fields: string[];
  /** Physical line (1-based) where the record starts (quoted fields may span lines). */
  line: number;
  /** Physical line where it ends. */
  endLine: number;
  /** Bytes of the file consumed up to the end of this record. */
  bytes: number;
}

/** The file stopped being readable CSV at `line` (where the broken record starts). */
export class CsvReadError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`CSV not readable from line ${line}: ${reason}`);
    this.name = 'CsvReadError';
  }
}

/**
 * Streams the records of an import file with csv-parse (v7): UTF-8 with or without a BOM, `,`
 * between fields, `"` quoting (fields may hold commas and newlines, `""` is a quote), CRLF or LF,
 * empty lines skipped. Records of any length come through (the caller rejects them). Yields the
 * records of each chunk as they are parsed; every record before a quoting error is yielded, then a
 * {@link CsvReadError} is thrown. Holds one chunk of records at a time, never the file.
 *
 * csv-parse runs synchronously inside `write`, and `on_record` collects the records (returning
 * null keeps them out of the parser's readable buffer): a stream error would drop records still
 * buffered there, which would make "everything before line N was imported" untrue.
 */
export async function* readCsvRecords(source: AsyncIterable<Buffer>): AsyncGenerator<CsvRecord[]> {
  const out: CsvRecord[] = [];
  // Lines are counted here: csv-parse's own count treats a CRLF inside a quoted field as two.
  let nextLine = 1;
  let lastEmpty = 0;
  let failure: unknown;
  const parser = parse({
    bom: true,
    encoding: 'utf8',
    delimiter: ',',
    quote: '"',
    escape: '"',
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], ctx) => {
      const line = nextLine + (ctx.empty_lines - lastEmpty);
      lastEmpty = ctx.empty_lines;
      let inner = 0;
      for (const f of record) {
        if (f.includes('\n') || f.includes('\r')) inner += f.match(/\r\n|\r|\n/g)?.length ?? 0;
      }
      nextLine = line + inner + 1;
      out.push({ fields: record, line, endLine: line + inner, bytes: ctx.bytes });
      return null;
    },
  });
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.resume(); // nothing is ever pushed; keep the readable side flowing anyway
  const fail = (): CsvReadError => new CsvReadError(nextLine, describeParseError(failure));
  try {
    for await (const chunk of source) {
      await new Promise<void>((resolve) => parser.write(chunk, () => resolve()));
      if (out.length > 0) yield out.splice(0, out.length);
      if (failure) throw fail();
    }
    await new Promise<void>((resolve) => {
      parser.once('error', () => resolve());
      parser.end(() => resolve());
    });
    if (out.length > 0) yield out.splice(0, out.length);
    if (failure) throw fail();
  } finally {
    if (!parser.destroyed) parser.destroy();
  }
}

/** A message for the firm about a file csv-parse could not read, without echoing any of its content. */
export function describeParseError(err: unknown): string {
  const code = (err as Partial<CsvError> | null)?.code;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_MAX_RECORD_SIZE':
      return 'a quoted field is never closed (or the row is far too long): check the double quotes on this row';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a closing double quote is followed by other characters; inside a quoted field write a quote as ""';
    case 'INVALID_OPENING_QUOTE':
      return 'a double quote appears inside an unquoted field; quote the whole field and write the quote as ""';
    default:
      return 'the file is not valid CSV from this row on';
  }
}

export type HeaderCheck = { ok: true; index: Record<ImportColumn, number> } | { ok: false; message: string };

/** Checks the header row: every column once, nothing else (names trimmed, case-insensitive). */
export function checkHeader(fields: readonly string[]): HeaderCheck {
  const names = fields.map((f) => f.trim().toLowerCase());
  const index = {} as Record<ImportColumn, number>;
  const missing: string[] = [];
  for (const col of IMPORT_COLUMNS) {
    const at = names.indexOf(col);
    if (at < 0) missing.push(col);
    else if (names.indexOf(col, at + 1) >= 0) {
      return { ok: false, message: `the header names the column "${col}" twice` };
    } else index[col] = at;
  }
  const expected = IMPORT_COLUMNS.join(',');
  if (missing.length > 0) {
    // Never echo the row: without a header, the first row is somebody's personal data.
    return {
      ok: false,
      message: `the first row must be the header ${expected}; missing: ${missing.join(', ')}`,
    };
  }
  if (names.length !== IMPORT_COLUMNS.length) {
    return {
      ok: false,
      message: `the header has ${names.length} columns; expected exactly these ${IMPORT_COLUMNS.length}: ${expected}`,
    };
  }
  return { ok: true, index };
}

/** A line break inside a spreadsheet cell (Alt+Enter) is layout: an address continues on one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * A CSV record as the body of the public form, so that {@link validateIntake} applies the very
 * same rules. Cells are trimmed; `exposed_data` is split on `;`; empty optional cells are absent;
 * line breaks inside address cells become spaces (any other field with one is rejected).
 * The CSV carries no harms, consent answers or attestation: the firm's retainer covers them.
 */
export function recordToIntakeBody(fields: readonly string[], index: Record<ImportColumn, number>): unknown {
  const cell = (c: ImportColumn): string => (fields[index[c]] ?? '').trim();
  const exposed = cell('exposed_data');
  const notice = cell('notice_received_on');
  return {
    name: cell('name'),
    birthDate: cell('birth_date'),
    phone: cell('phone'),
    email: cell('email'),
    address: { postalCode: cell('postal_code'), line1: oneLine(cell('address1')), line2: oneLine(cell('address2')) },
    exposedData: exposed
      ? exposed
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : [],
    noticeReceivedOn: notice === '' ? null : notice,
    harms: [],
    consents: {},
    attestation: true,
  };
}

const FIELD_TO_COLUMN: Record<string, ImportColumn> = {
  name: 'name',
  birthDate: 'birth_date',
  phone: 'phone',
  email: 'email',
  address: 'address1',
  'address.postalCode': 'postal_code',
  'address.line1': 'address1',
  'address.line2': 'address2',
  exposedData: 'exposed_data',
  noticeReceivedOn: 'notice_received_on',
};

/** Names a validator problem by the CSV column it came from (`birthDate` -> `birth_date`). */
export function columnOf(problem: FieldProblem): string {
  const field = problem.field.startsWith('exposedData[') ? 'exposedData' : problem.field;
  return FIELD_TO_COLUMN[field] ?? field;
}
