/**
 * The public request types: the generated models, except that every enum also accepts its plain
 * string value ('sms' as well as SendMultichannelRequestChannelEnum.Sms) and `sendAt` accepts an
 * RFC 3339 string. The generated types are TypeScript enums, which a literal does not satisfy.
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

type WithSendAt<T extends { sendAt?: Date }> = Omit<Lenient<T>, 'sendAt'> & {
  /** When to send: a Date or an RFC 3339 string with offset. Omit to send now. */
  sendAt?: Date | string;
};

export type MultichannelSendRequest = WithSendAt<SendMultichannelRequest>;
export type MultichannelCancelRequest = Lenient<CancelMultichannelRequest>;
export type SmsSendRequest = WithSendAt<SendSmsCampaignRequest>;
export type SmsCancelRequest = Lenient<CancelSmsCampaignRequest>;
export type BalanceRequest = Lenient<GetBalanceRequest>;
