import { countSegmentsFor } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billing, InfobipClient } from './index';

const TURKISH = 'Artık Ulusal Dil Tanımlayıcısı ile Türkçe karakterli smslerinizi rahatlıkla iletebilirsiniz.';
let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());

describe('Infobip billing facts', () => {
  it('passes the language to Infobip in sms.language.languageCode, as sent', async () => {
    server.reply({ json: { messages: [{ to: { phoneNumber: '905321234567' }, messageId: 'm-1' }] } });
    const client = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
    await client.omni.send({ scenarioKey: 'S', destinations: [{ to: { phoneNumber: '+90 532 123 45 67' } }], sms: { text: TURKISH, language: { languageCode: 'TR' } } });
    expect((server.requests[0]!.body as { sms: unknown }).sms).toEqual({ text: TURKISH, language: { languageCode: 'TR' } });
  });

  it("counts Infobip's Turkish example as one part with TR and two without", () => {
    expect(countSegmentsFor(billing, TURKISH, { language: 'tr' })).toMatchObject({ encoding: 'GSM-7', segments: 1, perSegment: 155 });
    expect(countSegmentsFor(billing, TURKISH)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('never counts both Portuguese tables at once, nor a Spanish locking table', () => {
    // ª is only in the Portuguese locking table, Φ only in its single shift table (beside it).
    const text = 'ªΦ' + 'a'.repeat(60);
    expect(countSegmentsFor({ ...billing, nationalLanguages: { pt: ['single', 'locking', 'single+locking'] } }, text, { language: 'pt' })).toMatchObject({
      encoding: 'GSM-7',
      national: { singleShift: true, lockingShift: true },
    });
    expect(countSegmentsFor(billing, text, { language: 'pt' })).toMatchObject({ encoding: 'UCS-2' });
    expect(countSegmentsFor(billing, 'ÚÚÚ' + 'a'.repeat(149), { language: 'es' })).toMatchObject({ segments: 1, units: 155 });
  });

  it('never assumes a table Infobip does not document, and says so', () => {
    const hindi = 'नमस्ते दुनिया';
    expect(countSegmentsFor(billing, hindi, { language: 'hi' })).toMatchObject({ encoding: 'UCS-2', ignoredLanguage: 'hi' });
  });
});
