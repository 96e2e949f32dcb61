import { DataIntegrityError } from '../core/index.ts';

/**
 * A small RFC 4180 CSV parser: quoted fields, doubled quotes, CRLF or LF. Returns the header and the rows as
 * string arrays. Rows whose field count differs from the header's fail with DataIntegrityError naming the row
 * (1-based line of data, after the header).
 */
export function parseCsv(text: string, dataset: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (!(record.length === 1 && record[0] === '')) records.push(record);
      record = [];
    } else field += ch;
  }
  if (inQuotes)
    throw new DataIntegrityError(`${dataset}: unterminated quoted field`, { dataset, rule: 'csv_quotes' });
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const header = records.shift();
  if (!header)
    throw new DataIntegrityError(`${dataset}: empty file, expected a header row`, {
      dataset,
      rule: 'csv_header',
    });
  if (header[0]?.charCodeAt(0) === 0xfeff) header[0] = header[0].slice(1);
  records.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new DataIntegrityError(
        `${dataset}: row ${i + 1} has ${r.length} fields, expected ${header.length} (${header.join(',')})`,
        { dataset, row: i + 1, rule: 'csv_field_count' },
      );
    }
  });
  return { header, rows: records };
}

/** Column index by name, or DataIntegrityError naming the missing column. */
export function requireColumns(
  header: readonly string[],
  names: readonly string[],
  dataset: string,
): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw new DataIntegrityError(
        `${dataset}: missing column '${name}', received columns ${header.join(',')}`,
        {
          dataset,
          rule: 'csv_missing_column',
          column: name,
        },
      );
    }
    return i;
  });
}
