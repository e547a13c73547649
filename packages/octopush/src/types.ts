/**
 * The public request types: the generated models, except that every enum also accepts its plain
 * string value ('sms' as well as SendMultichannelRequestChannelEnum.Sms) and `sendAt` also accepts
 * a Date. The generated types are TypeScript enums, which a literal does not satisfy.
 */
import type {
  CancelMultichannelRequest,
  CancelSmsCampaignRequest,
  GetBalanceRequest,
  SendMultichannelRequest,
  SendSmsCampaignRequest,
} from './generated/index';

import type { Lenient } from '@msgkit/core/internal';

export type { Lenient };

type WithSendAt<T extends { sendAt?: string }> = Omit<Lenient<T>, 'sendAt'> & {
  /**
   * When to send: a Date, or a string Octopush documents, sent as written: ISO 8601 with an offset
   * (`2030-01-31T09:00:00+01:00`, `+0100`, `Z`) or `2030-01-31 09:00:00` (Central European time).
   */
  sendAt?: Date | string;
};

/**
 * The body of `client.multichannel.send`, with enums also as plain strings and `sendAt` also as a
 * Date.
 */
export type MultichannelSendRequest = WithSendAt<SendMultichannelRequest>;
/** The body of `client.multichannel.cancel`, with enums also as plain strings. */
export type MultichannelCancelRequest = Lenient<CancelMultichannelRequest>;
/**
 * The body of `client.sms.send`: an SMS campaign, with enums also as plain strings and `sendAt`
 * also as a Date.
 */
export type SmsSendRequest = WithSendAt<SendSmsCampaignRequest>;
/** The body of `client.sms.cancel`, with enums also as plain strings. */
export type SmsCancelRequest = Lenient<CancelSmsCampaignRequest>;
/**
 * The query of `client.wallet.balance`: the whole balance in euros, or the units of one product for
 * one country.
 */
export type BalanceRequest = Omit<Lenient<GetBalanceRequest>, 'withDetails'> & {
  /** Adds the wallet packs: `true` (DEV) or `1` (the PHP client), sent as written. */
  withDetails?: boolean | 0 | 1;
};
