import { describe, expect, it } from 'vitest';
import { Classifier } from './classify';

const row = (input: string, country?: string) => ({ row: 1, input, ...(country && { country }) });

describe('classifying recipient rows', () => {
  it('refuses 12345 under DE, which the small metadata took for +4912345', () => {
    const r = new Classifier('DE').classify(row('12345'));
    expect(r).toMatchObject({ status: 'invalid', code: 'invalid', e164: undefined });
  });

  it('gives every number its type and refuses one known not to be a mobile as not_mobile', () => {
    const classifier = new Classifier('DE');
    expect(classifier.classify(row('0151 28403420'))).toMatchObject({ status: 'valid', e164: '+4915128403420', type: 'MOBILE' });
    expect(classifier.classify(row('030 123456'))).toMatchObject({ status: 'invalid', code: 'not_mobile', e164: '+4930123456', type: 'FIXED_LINE' });
    expect(classifier.classify(row('020 7946 0018', 'GB'))).toMatchObject({ status: 'invalid', code: 'not_mobile', type: 'FIXED_LINE' });
    expect(classifier.tally).toMatchObject({ rows: 3, valid: 1, invalid: 2, notMobile: 2 });
  });

  it('refuses VoIP, toll-free, shared-cost and personal numbers, and keeps a NANP number the plan cannot tell apart', () => {
    const classifier = new Classifier('GB');
    const cases: Array<[string, string | undefined, string]> = [
      ['056 1234 5678', undefined, 'VOIP'],
      ['0800 123 4567', undefined, 'TOLL_FREE'],
      ['070 1234 5678', undefined, 'PERSONAL_NUMBER'],
      ['+41 840 123 456', undefined, 'SHARED_COST'],
    ];
    for (const [input, country, type] of cases) expect(classifier.classify(row(input, country))).toMatchObject({ status: 'invalid', code: 'not_mobile', type });
    expect(classifier.classify(row('(201) 555-0123', 'US'))).toMatchObject({ status: 'valid', type: 'FIXED_LINE_OR_MOBILE' });
  });

  it('keeps landlines with allowLandline, still telling their type, and counts none refused', () => {
    const classifier = new Classifier('DE', { allowLandline: true });
    expect(classifier.classify(row('030 123456'))).toMatchObject({ status: 'valid', e164: '+4930123456', type: 'FIXED_LINE' });
    expect(classifier.classify(row('+49 30 123456'))).toMatchObject({ status: 'duplicate', type: 'FIXED_LINE' });
    expect(classifier.tally).toMatchObject({ valid: 1, duplicates: 1, invalid: 0, notMobile: 0 });
  });
});
