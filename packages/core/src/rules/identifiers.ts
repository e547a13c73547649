import type * as z from 'zod/mini';
import { factoryOptions } from './options';
import { isString, rule, type RuleParts, type RuleOptions } from './rule';

export interface CallbackUrlOptions extends RuleOptions {
  /** Default ['http', 'https']. */
  protocols?: readonly string[];
}

/** A webhook URL the vendor will call: absolute, with a host, over http(s). */
export function callbackUrl(input: CallbackUrlOptions = {}): z.ZodMiniType<string> {
  return rule<string>(...callbackUrlParts(input));
}

/** @internal callbackUrl's validated options and check, for `rule` or `plainRule`. */
export function callbackUrlParts(input: CallbackUrlOptions = {}): RuleParts {
  return callbackUrlPartsUnchecked(factoryOptions<CallbackUrlOptions>('callbackUrl', input, { protocols: ['strings', 'optional'], vendorCode: ['vendorCodes', 'optional'] }));
}

/**
 * @internal callbackUrlParts without the check of its options, for options the compiler has checked
 * against CallbackUrlOptions (a provider's own constants): factoryOptions, which reads options of
 * any shape and names each wrong one, would otherwise be in every app that bundles the provider.
 */
export function callbackUrlPartsUnchecked(options: CallbackUrlOptions = {}): RuleParts {
  const protocols = options.protocols ?? ['http', 'https'];
  return [options, (value, report) => {
    if (!isString(value, report)) return;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !protocols.includes(url.protocol.slice(0, -1)) || url.hostname === '') report('url_invalid', { protocols });
  }];
}

export interface UuidOptions extends RuleOptions {
  /** Refuse upper-case hex, as the SMS.CX SDKs' pattern does. */
  lowercase?: boolean;
}

const UUID_V1_TO_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const LOWER_HEX = /^[^A-F]*$/;

/** An RFC 4122 UUID of version 1 to 5 (SMS.CX `idempotencyId`, `trackData`, message ids). */
export function uuid(input: UuidOptions = {}): z.ZodMiniType<string> {
  const options = factoryOptions<UuidOptions>('uuid', input, { lowercase: ['boolean', 'optional'], vendorCode: ['vendorCodes', 'optional'] });
  return rule<string>(options, (value, report) => {
    if (!isString(value, report)) return;
    if (!UUID_V1_TO_V5.test(value) || (options.lowercase && !LOWER_HEX.test(value))) {
      report('uuid_invalid', { lowercase: options.lowercase });
    }
  });
}
