import type { SmsBilling } from '@msgkit/core';

/**
 * What SMS.CX bills (shared/vendors/smscx.md §7, from the `text` description of the SDKs' send
 * models): GSM-7 160 characters, 70 with any Unicode character, at most 1530 characters in 10
 * parts. SMS.CX documents no national language tables: its `transliteration.alphabet` (TURKISH,
 * POLISH, …) rewrites characters to GSM-7 instead, and `estimate` returns the parts it will bill.
 */
export const billing: SmsBilling = {
  vendor: 'smscx',
  nationalLanguages: {},
  parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
  maxParts: 10,
  maxCharacters: 1530,
  credits: 'cost per part × parts, in the account currency (`cost`, `info.totalCost`)',
  textRules: [
    { rule: 'transliteration.alphabet', effect: 'replaces non-GSM characters (e.g. ă → a) before counting; the response names the parts saved' },
    { rule: 'placeholders {{optoutLink}}, {{shortlink:ID}}, {{numbers:N}} …', effect: 'replaced per recipient before counting: count the text after replacement' },
  ],
  sources: ['shared/vendors/smscx.md §7 (smscx-api-python-client docs/model/SendSmsMessageRequest.md `text`)', 'specs/smscx.yaml TransliterationAnalysis example'],
};
