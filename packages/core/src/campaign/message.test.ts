import { describe, expect, it } from 'vitest';
import { messageShapeIssues, optionIssues, remapIssues, senderOptions } from './message';
import type { MessageOptionFact } from './sender';

const facts: MessageOptionFact[] = [
  { name: 'type', what: 'the route and price', required: true, values: ['sms_premium', 'sms_low_cost'], source: 's' },
  { name: 'purpose', what: 'transactional or marketing', required: false, values: ['alert', 'wholesale'], source: 's' },
];

describe('optionIssues', () => {
  it('names a required option that is missing, never assuming it', () => {
    expect(optionIssues('octopush', facts, { text: 'x' })).toEqual([
      { path: ['options', 'octopush', 'type'], code: 'required', message: "is required: the route and price ('sms_premium' or 'sms_low_cost'); it is never assumed" },
    ]);
  });

  it("refuses a value the vendor does not document and an option the sender does not have, and ignores other senders' options", () => {
    const issues = optionIssues('octopush', facts, { text: 'x', options: { octopush: { type: 'sms_cheap', purpse: 'alert' }, smscx: { anything: 1 } } });
    expect(issues).toEqual([
      { path: ['options', 'octopush', 'type'], code: 'invalid', message: "must be one of 'sms_premium', 'sms_low_cost'" },
      { path: ['options', 'octopush', 'purpse'], code: 'unknown_option', message: 'is not an option of octopush (its options: type, purpose)' },
    ]);
    expect(senderOptions({ text: 'x', options: { smscx: { anything: 1 } } }, 'octopush')).toEqual({});
  });
});

describe('messageShapeIssues', () => {
  it('wants a string text, an optional string sender and options by sender', () => {
    expect(messageShapeIssues({ text: 'x', from: 'Shop', options: { a: {} } })).toEqual([]);
    expect(messageShapeIssues(null)[0]).toMatchObject({ path: [], code: 'invalid_type' });
    expect(messageShapeIssues({ from: 3, options: { a: 1 } }).map((i) => [i.path, i.code])).toEqual([
      [['text'], 'required'],
      [['from'], 'invalid_type'],
      [['options', 'a'], 'invalid_type'],
    ]);
  });
});

describe('remapIssues', () => {
  it("moves a request field's issues onto the message, drops the recipients' and keeps the rest", () => {
    const issues = [
      { path: ['content'], code: 'text_empty', message: 'm' },
      { path: ['destinations', 0], code: 'phone_invalid', message: 'm' },
      { path: ['validity'], code: 'invalid', message: 'm' },
    ];
    expect(remapIssues(issues, { content: ['text'], destinations: null }).map((i) => i.path)).toEqual([['text'], ['validity']]);
  });
});
