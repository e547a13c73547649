import { describe, expect, it } from 'vitest';
import { parseOctopushError } from './errors';

describe('parseOctopushError', () => {
  it('keeps a business code and its message', () => {
    expect(parseOctopushError(400, { code: 121, message: 'Mention STOP is missing.' })).toEqual({ vendorCode: 121, message: 'Mention STOP is missing.' });
  });

  it('keeps the wrapper code when several fields failed, naming them all', () => {
    const body = { code: 400, message: 'Payload validation error.', errors: { sender: { code: 106, message: 'Bad sender.' }, text: { code: 107, message: 'Text missing.' } } };
    expect(parseOctopushError(400, body)).toEqual({ vendorCode: 400, vendorType: 'sender,text', message: 'Payload validation error. sender: Bad sender. text: Text missing.' });
  });

  it('classes the legacy out-of-credit codes 104 and 105 as insufficient credit', () => {
    expect(parseOctopushError(400, { code: 105, message: 'Not enough credit' }).kind).toBe('insufficient_credit');
  });

  it('leaves bodies it does not know to the status', () => {
    expect(parseOctopushError(500, 'oops')).toEqual({});
    expect(parseOctopushError(503, { error: 'down' })).toEqual({});
  });
});
