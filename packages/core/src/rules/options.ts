import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor, show } from './messages';

/**
 * What a factory option must be. The factories are called from plain JavaScript too: a wrong
 * option must be a ValidationError at construction (path `options.<name>`), never a TypeError later
 * from inside a check, and never a silently different limit.
 */
export type OptionKind =
  | 'number'
  | 'wholeNumber'
  | 'range'
  | 'string'
  | 'strings'
  | 'boolean'
  | 'regexp'
  | 'function'
  | 'vendorCodes'
  | 'requiredFields'
  | 'placeholders';

type Spec = Readonly<Record<string, readonly [OptionKind, 'required' | 'optional']>>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isVendorCode = (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);
/** Option lists are short (channels, units); a longer one is a mistake, and `every` over 2^32-1 holes would hang. */
const MAX_OPTION_LIST = 10_000;
const isList = (value: unknown): value is unknown[] => Array.isArray(value) && value.length <= MAX_OPTION_LIST;

function fits(kind: OptionKind, value: unknown): string | undefined {
  switch (kind) {
    case 'number':
      return isNumber(value) ? undefined : 'a number';
    case 'wholeNumber':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? undefined : 'a whole number ≥ 0';
    case 'range':
      return isList(value) && value.length === 2 && isNumber(value[0]) && isNumber(value[1]) && value[0] <= value[1] ? undefined : 'a [min, max] pair of numbers';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'strings':
      return isList(value) && value.every((v) => typeof v === 'string') ? undefined : 'a list of strings';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'regexp':
      return value instanceof RegExp ? undefined : 'a RegExp';
    case 'function':
      return typeof value === 'function' ? undefined : 'a function';
    case 'vendorCodes':
      return isVendorCode(value) || (isRecord(value) && Object.values(value).every(isVendorCode)) ? undefined : 'a vendor code or a map of issue codes to vendor codes';
    case 'requiredFields':
      return isRecord(value) &&
        Object.values(value).every((list) => isList(list) && list.every((f) => typeof f === 'string' || (isRecord(f) && typeof f.field === 'string' && (f.vendorCode === undefined || isVendorCode(f.vendorCode)))))
        ? undefined
        : 'a map of channels to lists of field names';
    case 'placeholders':
      return typeof value === 'boolean' || (isRecord(value) && (value.vendorCode === undefined || fits('vendorCodes', value.vendorCode) === undefined)) ? undefined : 'true, false or { vendorCode }';
  }
}

/**
 * Reads a factory's options once, checks each against `spec` and returns a plain copy holding only
 * those fields (a getter is read exactly once; a null-prototype object reads like any other).
 */
export function factoryOptions<T extends object>(factory: string, options: unknown, spec: Spec): T {
  const issues: ValidationIssue[] = [];
  const copy: Record<string, unknown> = {};
  const at = (name?: string) => (name === undefined ? ['options'] : ['options', name]);
  if (options !== undefined && !isRecord(options)) {
    throw new ValidationError([{ path: at(), code: 'invalid_type', message: messageFor('invalid_type', { expected: `the options object of ${factory}()` }) }]);
  }
  for (const [name, [kind, presence]] of Object.entries(spec)) {
    let value: unknown;
    try {
      value = options?.[name];
      const expected = value === undefined ? (presence === 'required' ? `${kind === 'range' ? 'a [min, max] pair' : 'given'}` : undefined) : fits(kind, value);
      if (expected === undefined) {
        if (value !== undefined) copy[name] = value;
      } else if (value === undefined) issues.push({ path: at(name), code: 'required', message: `${messageFor('required')}: ${factory}() needs ${expected}` });
      else issues.push({ path: at(name), code: 'invalid_type', message: messageFor('invalid_type', { expected }) });
    } catch (error) {
      issues.push({ path: at(name), code: 'unreadable', message: messageFor('unreadable', { reason: show(error instanceof Error ? error.message : error) }) });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return copy as T;
}
