/**
 * Renders values into ClickHouse SQL as typed literals. ClickHouse 18.16 has no server-side query
 * parameters, so every value that reaches a statement goes through this module: strings are
 * quoted and escaped, numbers must be finite, identifiers must be plain names.
 */

/** A piece of SQL that is inserted as it is; only this module and trusted code create one. */
export class SqlFragment {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | bigint | boolean | null | Date | SqlFragment | readonly SqlValue[];

/** Raised when a value cannot be rendered safely; the message names the value. */
export class SqlLiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlLiteralError';
  }
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Quotes a string; backslash, quote and every control character are escaped. */
export function stringLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\\'\x00-\x1f\x7f]/g, (char) => {
    return ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${escaped}'`;
}

export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new SqlLiteralError(`cannot render ${value} as a SQL number`);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new SqlLiteralError(`cannot render ${value} exactly: pass integers beyond 2^53 as bigint`);
  }
  // Integers print plainly; other numbers use JavaScript's shortest round-trip form, which
  // ClickHouse parses as Float64 (exponents included).
  return String(value);
}

/** Renders an instant as a UTC DateTime literal with second precision. */
export function dateTimeLiteral(value: Date): string {
  const millis = value.getTime();
  if (!Number.isFinite(millis)) throw new SqlLiteralError('cannot render an invalid Date');
  const text = value.toISOString().slice(0, 19).replace('T', ' ');
  return `toDateTime(${stringLiteral(text)}, 'UTC')`;
}

/** Renders any supported value; arrays become ClickHouse array literals `[a, b]`. */
export function literal(value: SqlValue): string {
  if (value instanceof SqlFragment) return value.text;
  if (value === null) return 'NULL';
  if (value instanceof Date) return dateTimeLiteral(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item)).join(', ')}]`;

  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'number':
      return numberLiteral(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    default:
      throw new SqlLiteralError(`cannot render a value of type ${typeof value} into SQL`);
  }
}

/** Renders a non-empty list for `IN (...)`. */
export function inList(values: readonly SqlValue[]): SqlFragment {
  if (values.length === 0) throw new SqlLiteralError('IN list must not be empty');
  return new SqlFragment(`(${values.map((value) => literal(value)).join(', ')})`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes a table, column or database name, which must be a plain name. */
export function identifier(name: string): SqlFragment {
  if (!IDENTIFIER.test(name)) throw new SqlLiteralError(`invalid SQL identifier ${JSON.stringify(name)}`);
  return new SqlFragment(`\`${name}\``);
}

/** Inserts trusted SQL text as it is, for example a column list chosen from a fixed set. */
export function raw(text: string): SqlFragment {
  return new SqlFragment(text);
}

/**
 * Tagged template that renders each interpolated value as a literal:
 * sql`SELECT count() FROM events WHERE account_id = ${accountId}`.
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) {
    text += literal(values[i]) + strings[i + 1];
  }
  return text;
}

/** Like {@link sql}, but returns a fragment that can be nested inside another template. */
export function fragment(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  return new SqlFragment(sql(strings, ...values));
}

const TAB_SEPARATED_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * Renders one row in ClickHouse's TabSeparated format, for tables sent alongside a query: each
 * value is escaped so that tabs, line breaks and backslashes stay inside their field.
 */
export function tabSeparatedRow(values: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  return `${values.map((value) => value.replace(/[\\\t\n\r\0]/g, (char) => TAB_SEPARATED_ESCAPES[char])).join('\t')}\n`;
}
