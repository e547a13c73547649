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

/** Enum members widened to their string values, recursively; `any` and Date left alone. */
export type Lenient<T> = 0 extends 1 & T
  ? T
  : T extends Date
    ? T
    : T extends string
      ? `${T}`
      : T extends ReadonlyArray<infer U>
        ? Lenient<U>[]
        : T extends object
          ? { [K in keyof T]: Lenient<T[K]> }
          : T;

type WithSendAt<T extends { sendAt?: string }> = Omit<Lenient<T>, 'sendAt'> & {
  /**
   * When to send: a Date, or a string Octopush documents, sent as written: ISO 8601 with an offset
   * (`2030-01-31T09:00:00+01:00`, `+0100`, `Z`) or `2030-01-31 09:00:00` (Central European time).
   */
  sendAt?: Date | string;
};

export type MultichannelSendRequest = WithSendAt<SendMultichannelRequest>;
export type MultichannelCancelRequest = Lenient<CancelMultichannelRequest>;
export type SmsSendRequest = WithSendAt<SendSmsCampaignRequest>;
export type SmsCancelRequest = Lenient<CancelSmsCampaignRequest>;
export type BalanceRequest = Omit<Lenient<GetBalanceRequest>, 'withDetails'> & {
  /** Adds the wallet packs: `true` (DEV) or `1` (the PHP client), sent as written. */
  withDetails?: boolean | 0 | 1;
};
