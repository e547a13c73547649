import type * as z from 'zod/mini';
import type { VendorCode } from './codes';
import { MAX_LIST_LENGTH } from './lists';
import { factoryOptions } from './options';
import { rule, type RuleParts, type RuleOptions } from './rule';

/** A field a channel step must carry, optionally with the vendor's code for its absence. */
export type RequiredField = string | { field: string; vendorCode?: VendorCode };

export interface ChannelStrategyOptions extends RuleOptions {
  /** Channels the vendor knows, e.g. ['viber', 'whatsapp', 'sms']. */
  channels: readonly string[];
  minChannels?: number;
  /** Channel the list must end with (the failover of last resort), e.g. 'sms'. */
  lastChannel?: string;
  /** Refuse a channel listed twice. Default true. */
  unique?: boolean;
  /** Fields each channel's step must carry, e.g. { viber: [{ field: 'templateId', vendorCode: 1126 }], sms: ['text'] }. */
  requiredFields?: Readonly<Record<string, readonly RequiredField[]>>;
  /** Property of a step that names its channel. Default 'channel'. */
  channelKey?: string;
}

type Step = Record<string, unknown>;

/** An ordered failover list of channel steps (SMS.CX `strategy`, Infobip scenario `flow`). */
export function channelStrategy(input: ChannelStrategyOptions): z.ZodMiniType<Step[]> {
  return rule<Step[]>(...channelStrategyParts(input));
}

/** @internal channelStrategy's validated options and check, for `rule` or `plainRule`. */
export function channelStrategyParts(input: ChannelStrategyOptions): RuleParts {
  return channelStrategyPartsUnchecked(factoryOptions<ChannelStrategyOptions>('channelStrategy', input, {
    channels: ['strings', 'required'],
    minChannels: ['wholeNumber', 'optional'],
    lastChannel: ['string', 'optional'],
    unique: ['boolean', 'optional'],
    requiredFields: ['requiredFields', 'optional'],
    channelKey: ['string', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  }));
}

/**
 * @internal channelStrategyParts without the check of its options, for options the compiler has
 * checked against ChannelStrategyOptions (a provider's own constants): factoryOptions, which reads
 * options of any shape and names each wrong one, would otherwise be in every app that bundles the
 * provider.
 */
export function channelStrategyPartsUnchecked(options: ChannelStrategyOptions): RuleParts {
  const key = options.channelKey ?? 'channel';
  const unique = options.unique ?? true;
  return [options, (value, report) => {
    if (!Array.isArray(value)) return report('strategy_not_list');
    if (value.length > MAX_LIST_LENGTH) return report('too_long', { max: MAX_LIST_LENGTH, length: value.length });
    const min = options.minChannels ?? 1;
    if (value.length < min) report('strategy_too_few_channels', { min, count: value.length });
    const seen = new Set<unknown>();
    value.forEach((step: unknown, index) => {
      if (typeof step !== 'object' || step === null) return report('invalid_type', { expected: 'an object' }, [index]);
      const channel = (step as Step)[key];
      if (typeof channel !== 'string' || !options.channels.includes(channel)) {
        return report('strategy_unknown_channel', { channel, allowed: options.channels }, [index, key]);
      }
      if (unique && seen.has(channel)) report('strategy_duplicate_channel', { channel }, [index, key]);
      seen.add(channel);
      const fields = options.requiredFields && Object.prototype.hasOwnProperty.call(options.requiredFields, channel) ? options.requiredFields[channel]! : [];
      for (const required of fields) {
        const { field, vendorCode } = typeof required === 'string' ? { field: required, vendorCode: undefined } : required;
        const present = (step as Step)[field];
        if (present === undefined || present === null || present === '') {
          report('strategy_missing_field', { channel, field }, [index, field], vendorCode);
        }
      }
    });
    const last = value.at(-1) as Step | undefined;
    if (options.lastChannel !== undefined && value.length > 0 && last?.[key] !== options.lastChannel) {
      report('strategy_last_channel', { expected: options.lastChannel }, [value.length - 1, key]);
    }
  }];
}
