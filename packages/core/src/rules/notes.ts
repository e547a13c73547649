import type { ValidationIssue } from '../errors';

/**
 * Something a client passes on as given although the vendor will act on it differently from how it
 * reads: the vendor ignores the field, cuts the value, or documents nothing for it. msgkit never
 * changes such a value silently and refuses only what a vendor documents as refused; this says it.
 */
export interface Note {
  /** Where in the request, as in a ValidationIssue. */
  path: (string | number)[];
  /** Stable, for code that reacts to notes. */
  code: string;
  /** What the vendor will do, with its source. */
  message: string;
}

/** Receives a client's notes; one that throws stops the call before anything is sent. */
export type NoteHandler = (note: Note) => void;

/** A client's `onNote` option: a function, or undefined for printNotes(). */
export function noteHandlerIssues(value: unknown, name = 'onNote'): ValidationIssue[] {
  return value === undefined || typeof value === 'function' ? [] : [{ path: [name], code: 'invalid_type', message: 'must be a function receiving each note' }];
}

interface WarningProcess {
  emitWarning?: (warning: string, options: { type: string; code: string }) => void;
}

/**
 * The handler a client uses when given none: each distinct note printed once (per handler) as a
 * Node process warning of type `MsgkitNote` on stderr, or with console.warn where there is no
 * process. Messages carry no request values, so the set of printed ones stays small.
 */
export function printNotes(): NoteHandler {
  const printed = new Set<string>();
  return (note) => {
    const text = `${note.path.length > 0 ? note.path.join('.') : '(request)'}: ${note.message}`;
    if (printed.has(text)) return;
    printed.add(text);
    const proc = (globalThis as { process?: WarningProcess }).process;
    if (typeof proc?.emitWarning === 'function') proc.emitWarning(text, { type: 'MsgkitNote', code: `MSGKIT_${note.code.toUpperCase()}` });
    else console.warn(`MsgkitNote: ${text}`);
  };
}
