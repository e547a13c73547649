import type { SmsBilling } from '@msgkit/core';

/**
 * What The SMS Works bills (shared/vendors/smsworks.md §2.1, §3.4, from its OpenAPI `content`
 * description and developer page): up to 160 GSM characters is 1 credit, longer messages are
 * 153-character parts of 1 credit each, a non-GSM character makes 70-character parts; non-UK
 * numbers are "typically charged double credits", some countries a fraction such as 2.5 per part.
 * No national language tables are documented.
 */
export const billing: SmsBilling = {
  vendor: 'smsworks',
  nationalLanguages: {},
  parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
  maxCharacters: 1280,
  credits: '1 credit per part to UK numbers; non-UK typically 2 credits per part, some countries fractions (e.g. 2.5); `creditsUsed` in the response is the bill',
  textRules: [{ rule: 'ai: true (AI Optimiser)', effect: 'may rewrite a text just over a 1- or 2-credit boundary to fit below it' }],
  sources: ['shared/vendors/smsworks.md §2.1 Message.content, §3.4 (SPEC19, DEVPAGE)'],
};
