/** Why a number was not read: not a number at all, no country to read it in, too short, too long, invalid, or ambiguous between a national and an international reading. */
export type PhoneErrorCode = 'not_a_number' | 'invalid_country' | 'too_short' | 'too_long' | 'invalid' | 'ambiguous';

/** libphonenumber's number types; reported only where the metadata has the patterns to tell. */
export type PhoneNumberType =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'TOLL_FREE'
  | 'PREMIUM_RATE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL';

/** The result of `normalizePhone`: the E.164 number (with country, type and a second reading where known), or the input and why it failed. */
export type PhoneResult =
  | {
      ok: true;
      e164: string;
      country?: string;
      /**
       * What the number is, where the metadata knows: with `@msgkit/core/max` for every country,
       * with the default (min) metadata only for the 15 countries it has types for (US, CA, GB, AU,
       * IT, …). Landlines are accepted; an SMS sender that wants only mobiles can filter on this.
       */
      type?: PhoneNumberType;
      /** A second valid reading of the same digits (the international one, or the national one), when there is one. */
      alternative?: string;
    }
  | { ok: false; input: string; code: PhoneErrorCode };

/** Options of `normalizePhone` and `normalizeRecipients`. */
export interface NormalizePhoneOptions {
  /** ISO 3166-1 alpha-2 country for numbers written without a country code (case-insensitive; `UK` means `GB`). */
  defaultCountry?: string;
}

/** The result of `normalizeRecipients`: the unique E.164 numbers, and every input that is not one. */
export interface NormalizedRecipients {
  /** Unique E.164 numbers in first-seen order. */
  valid: string[];
  /** Every input that is not a usable number, with its position in the input list. */
  invalid: Array<{ index: number; input: string; code: string }>;
  /** Valid inputs left out because an earlier input had the same E.164 number. */
  duplicates: number;
  /** Inputs whose digits have a second valid reading (see PhoneResult `alternative`); `e164` is the one in `valid`. */
  alternatives: Array<{ index: number; input: string; e164: string; alternative: string }>;
}
