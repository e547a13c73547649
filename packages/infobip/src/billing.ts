import type { SmsBilling } from '@msgkit/core';

/**
 * What Infobip bills for an SMS step. `sms.language.languageCode` (TR, ES, PT or AUTODETECT) is
 * the field of S1 (Infobip's OpenAPI 3.210.0, OMNI SmsData; specs/infobip.yaml SmsLanguage).
 *
 * DECISION: Turkish and Portuguese are counted with their single shift or their locking shift
 * table, never both at once: Infobip documents one table per message ("deducting only 5
 * characters … 155 characters allowed", docs/sms/language; the 155-character limit on the NLI
 * page), and an SMS that needed both would have 152. Spanish has only a single shift table.
 * AUTODETECT is not counted: Infobip does not say which tables it may pick. The Indian tables are
 * not in Infobip's enum, so they are never assumed. The `smsCount` / `messageCount` Infobip
 * returns is the bill; this is the estimate before sending.
 */
export const billing: SmsBilling = {
  vendor: 'infobip',
  nationalLanguages: { tr: ['single', 'locking'], es: ['single'], pt: ['single', 'locking'] },
  languageField: 'sms.language.languageCode',
  parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
  credits: 'price per part (`price.pricePerMessage` in reports) × parts (`messageCount`)',
  textRules: [
    { rule: 'sms.transliteration (TURKISH, PORTUGUESE, …)', effect: 'Infobip replaces characters before counting; msgkit counts the text as given' },
    { rule: 'national language (languageCode)', effect: 'a 3-octet header element per part: 155 septets alone, 149 per concatenated part' },
  ],
  sources: [
    'https://www.infobip.com/docs/sms/language (languageCode TR, ES, PT, AUTODETECT; 155 characters)',
    'https://www.infobip.com/docs/essentials/api-essentials/national-language-shift (locking vs single shift, 3 × Ú → 152)',
    'S1 api-evangelist/infobip openapi/infobip-omni-failover-openapi.json @ b3be778 (SmsData.language.languageCode)',
  ],
};
