import { afterEach, describe, expect, it, vi } from 'vitest';
import { noteHandlerIssues, printNotes } from './notes';

afterEach(() => vi.restoreAllMocks());

describe('printNotes', () => {
  it('prints each distinct note once as a MsgkitNote process warning, with its path and code', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const print = printNotes();
    const note = { path: ['sms', 'validityPeriod'], code: 'validity_capped', message: 'is over 48 hours: Infobip cuts it to 48 hours' };
    print(note);
    print(note);
    print({ ...note, path: [] });
    expect(warn.mock.calls).toEqual([
      ['sms.validityPeriod: is over 48 hours: Infobip cuts it to 48 hours', { type: 'MsgkitNote', code: 'MSGKIT_VALIDITY_CAPPED' }],
      ['(request): is over 48 hours: Infobip cuts it to 48 hours', { type: 'MsgkitNote', code: 'MSGKIT_VALIDITY_CAPPED' }],
    ]);
  });

  it('keeps its memory per handler: a second client prints the same note again', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const note = { path: ['trackData'], code: 'uuid_version', message: 'may be discarded' };
    printNotes()(note);
    printNotes()(note);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe('noteHandlerIssues', () => {
  it('accepts a function or nothing and refuses anything else as onNote', () => {
    expect(noteHandlerIssues(undefined)).toEqual([]);
    expect(noteHandlerIssues(() => undefined)).toEqual([]);
    expect(noteHandlerIssues('print')).toEqual([expect.objectContaining({ path: ['onNote'], code: 'invalid_type' })]);
  });
});
