/**
 * Infobip's OMNI send alone, for an app that only sends: `omniSend(options)` gives the one function
 * `InfobipClient#omni.send` is, built from the same options with the same checks, and the same
 * answers, errors and notes. An app that imports it and not `InfobipClient` leaves out what only
 * the client's other operations need (scenarios, reports, logs, the balance and the answers they
 * read), which a bundler cannot drop from a class that builds them all: about 1.8 kB gzip.
 *
 * ```ts
 * import { omniSend } from '@msgkit/infobip/omni-send';
 *
 * const send = omniSend({ apiKey: process.env.INFOBIP_API_KEY, baseUrl: 'https://xxxxx.api.infobip.com' });
 * const answer = await send({ destinations: [{ to: { phoneNumber: '+41793026727' } }], sms: { text: 'Hello' } });
 * ```
 *
 * @module @msgkit/infobip/omni-send
 */
import type { RequestOptions, WithRequestId } from '@msgkit/core';
import type { InfobipClientOptions } from './client';
import { connect, sendOmni } from './connection';
import { BaseAPI, type SendOmniAdvancedResponse } from './generated';
import type { OmniSendRequest } from './prepare';

export type { InfobipClientOptions, OmniSendRequest };

/** One OMNI send (POST /omni/1/advanced), as `InfobipClient#omni.send`. */
export type OmniSend = (request: OmniSendRequest, options?: RequestOptions) => Promise<WithRequestId<SendOmniAdvancedResponse>>;

/**
 * The OMNI send of `new InfobipClient(options)`, without the client's other operations. The options
 * are read and checked now, as the client's constructor does (a ValidationError lists every
 * problem; the API key and the account host come from INFOBIP_API_KEY and INFOBIP_BASE_URL when not
 * given); each call then checks and sends one request exactly as `client.omni.send` does, never
 * retried once it may have reached Infobip.
 */
export function omniSend(options: InfobipClientOptions = {}): OmniSend {
  const connection = connect(options);
  // The operation's own function, not OmniApi's method: the class would bring every operation.
  const api = new BaseAPI(connection.configuration);
  return (request, callOptions) => sendOmni(connection, api, request, callOptions);
}
