import type { SmsBilling } from '@msgkit/core';

/**
 * What Octopush bills (shared/vendors/octopush.md §7, its "special characters" page): 160 / 153
 * GSM characters, 70 Unicode, and its own list of characters counted twice, `{ } € [ ] ~ ^ ¨ | & $
 * @ \n \r \t`, wider than GSM 03.38's extension table (& $ @ LF CR are one septet there, ¨ and tab
 * are not GSM at all). No national language tables are documented.
 *
 * DECISION: concatenated Unicode parts hold 67 characters (the user documentation and the UDH
 * arithmetic), not the 63 of the special-characters page. The backslash stays two septets: the
 * stored page lost every backslash of its list (`\n \r \t` read "n r t"), so its absence proves
 * nothing. `number_of_sms_needed` in the response is the bill.
 */
export const billing: SmsBilling = {
  vendor: 'octopush',
  nationalLanguages: {},
  parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
  doubleCounted: '&$@\n\r\t¨',
  maxCharacters: 1224,
  credits: 'price per SMS of the route (sms_premium / sms_low_cost) × `number_of_sms_needed`',
  textRules: [
    {
      rule: 'marketing SMS (purpose wholesale) to French numbers',
      effect: 'must contain "STOP au XXXXX" (error 121 otherwise); Octopush replaces XXXXX by the operator short code, 5 digits, so the text keeps its length and the mention is counted with it',
    },
    { rule: 'auto_optimize_text (unless false)', effect: 'replaces accented and typographic characters by GSM-7 ones before counting; false keeps them' },
  ],
  sources: [
    'shared/vendors/octopush.md §3.7 (error 121, STOP au XXXXX), §7 (DEV special-characters page, user documentation)',
    'specs/octopush.yaml SendSmsCampaignRequest.text',
  ],
};
