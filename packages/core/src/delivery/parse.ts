import { MsgkitError } from '../errors';
import type { StatusMapping } from './report';

/** A callback body that is not the vendor's documented delivery-report shape. `path` says where. */
export class InvalidReportError extends MsgkitError {
  readonly vendor: string;
  readonly path: (string | number)[];

  constructor(vendor: string, path: (string | number)[], detail: string) {
    super('invalid_report', `${vendor}${path.length > 0 ? ` at ${path.join('.')}` : ''}: ${detail}`);
    this.vendor = vendor;
    this.path = path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), vendor: this.vendor, path: this.path };
  }
}

/**
 * A vendor status through its table. A string the table lacks is `unknown`, not final, and flagged
 * `unmapped`, so a status a vendor adds later is visible, never silently read as something else.
 */
export function mapStatus(table: Readonly<Record<string, StatusMapping>>, raw: string): StatusMapping & { unmapped?: true } {
  const known = Object.prototype.hasOwnProperty.call(table, raw) ? table[raw] : undefined;
  return known ?? { status: 'unknown', final: false, unmapped: true };
}

/**
 * A vendor timestamp as ISO 8601 UTC, or undefined when it is absent or not a date. Zone-less
 * `YYYY-MM-DD HH:MM:SS` is read as UTC,
 * `+0000`-style offsets are accepted.
 */
export function reportTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`;
  else text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

type Path = (string | number)[];

/** Small readers that throw `InvalidReportError` naming the vendor and the field. */
export function reportReader(vendor: string) {
  const fail = (path: Path, detail: string): never => {
    throw new InvalidReportError(vendor, path, detail);
  };
  return {
    /** Throws `InvalidReportError` for the field at `path`. */
    fail,
    /** The value as an object (not an array, not null), or throws. */
    object(value: unknown, path: Path): Record<string, unknown> {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
      return value as Record<string, unknown>;
    },
    /** The value as a list, or throws. */
    array(value: unknown, path: Path): unknown[] {
      if (!Array.isArray(value)) fail(path, 'expected a list');
      return value as unknown[];
    },
    /** The value as a non-empty string, or throws. */
    string(value: unknown, path: Path): string {
      if (typeof value !== 'string' || value === '') fail(path, 'expected a non-empty string');
      return value as string;
    },
    /** The value as a string, undefined when absent or null, or throws. */
    optionalString(value: unknown, path: Path): string | undefined {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') fail(path, 'expected a string');
      return value as string;
    },
    /** The value as a finite number (a numeric string is read), undefined when absent, null or empty, or throws. */
    optionalNumber(value: unknown, path: Path): number | undefined {
      if (value === undefined || value === null || value === '') return undefined;
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail(path, 'expected a number');
      return n as number;
    },
  };
}
