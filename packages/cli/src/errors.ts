import { MsgkitError, ValidationError } from '@msgkit/core';

/** One line for a table cell or stderr: the error's code first, then what the vendor said. */
export function describeError(error: unknown): string {
  if (error instanceof ValidationError) {
    const issues = error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message} (${i.code}${i.vendorCode === undefined ? '' : `, vendor code ${i.vendorCode}`})`);
    return `validation_error: ${issues.join('; ')}`;
  }
  if (error instanceof MsgkitError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
