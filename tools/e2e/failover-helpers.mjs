// Shared by the failover tests and the failover bench: the four senders on the sandbox, each
// vendor's documented refusals as sandbox faults in its own error format, and the checks on what
// the sandbox accepted.
import { infobipSender } from '@msgkit/infobip';
import { octopushSender } from '@msgkit/octopush';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { HANG_LIMIT_MS } from '../test-child.mjs';

export const VENDORS = ['smscx', 'smsworks', 'octopush', 'infobip'];

/** A message every vendor can carry: each option the chain needs is given, none assumed. */
export const MESSAGE = {
  text: 'Your parcel arrives today.',
  from: 'Shop',
  options: { octopush: { type: 'sms_premium', purpose: 'alert' }, infobip: { from: 'scenario' } },
};

/** One sender per vendor, on the sandbox (or on `baseUrls` given for a vendor, e.g. a closed port). */
export function sandboxSenders(sandbox, { timeoutMs = HANG_LIMIT_MS, maxRetries = 0, baseUrls = {} } = {}) {
  const base = (vendor) => baseUrls[vendor] ?? sandbox.baseUrls[vendor];
  const policy = { timeoutMs, maxRetries };
  return {
    smscx: smscxSender({ apiKey: 'e2e-key', baseUrl: base('smscx'), ...policy }),
    smsworks: smsworksSender({ token: 'e2e.jwt.token', baseUrl: base('smsworks'), ...policy }),
    octopush: octopushSender({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl: base('octopush'), ...policy }),
    infobip: infobipSender({ apiKey: 'e2e-key', baseUrl: base('infobip'), ...policy }),
  };
}

/** Infobip sends through the account's default scenario: the sandbox forgets it on reset. */
export async function infobipScenario(sandbox) {
  const res = await fetch(`${sandbox.baseUrls.infobip}/omni/1/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'App e2e-key' },
    body: JSON.stringify({ name: 'SMS', flow: [{ from: 'Shop', channel: 'SMS' }], default: true }),
  });
  if (res.status !== 201) throw new Error(`scenario not created: ${res.status}`);
}

const SEND_PATH = { smscx: '/sms', smsworks: '/batch/send', octopush: '/sms-campaign/send', infobip: '/omni/1/advanced' };

const smscxError = (type, code) => ({ error: { type, code, message: `${type} ${code}`, uri: 'https://sms.cx/sms-api-documentation/#section/Errors' } });
const octopushError = (code) => ({ code, message: `code ${code}` });
const infobipError = (messageId) => ({ requestError: { serviceException: { messageId, text: messageId } } });
const smsworksError = (status, errorCode) => ({ message: status, errorCode, status });

/** A 200 from Infobip in which every destination of the request got `status` (group REJECTED): read from the request itself. */
function infobipRejected(id, name) {
  return { rejectEach: { groupId: 5, groupName: 'REJECTED', id, name, description: name } };
}

/**
 * The vendor's documented refusals before acting, as faults in its own format; a class the vendor
 * documents no refusal for is absent (The SMS Works publishes no code for a route or a number).
 */
export const REFUSALS = {
  smscx: {
    authentication: { status: 401, body: smscxError('invalid_api_key', 0) },
    no_route: { status: 403, body: smscxError('no_coverage', 1119) },
    invalid_number: { status: 400, body: smscxError('invalid_param', 1210) },
    insufficient_credit: { status: 400, body: smscxError('insufficient_credit', 1113) },
  },
  smsworks: {
    authentication: { status: 401, body: smsworksError('UNAUTHORIZED', 401) },
    insufficient_credit: { status: 402, body: smsworksError('PAYMENT_REQUIRED', 402) },
  },
  octopush: {
    authentication: { status: 401, body: octopushError(401) },
    no_route: { status: 400, body: octopushError(151) },
    invalid_number: { status: 400, body: octopushError(150) },
    insufficient_credit: { status: 400, body: octopushError(104) },
  },
  infobip: {
    authentication: { status: 401, body: infobipError('UNAUTHORIZED') },
    no_route: infobipRejected(19, 'REJECTED_ROUTE_NOT_AVAILABLE'),
    invalid_number: infobipRejected(52, 'REJECTED_DESTINATION'),
    insufficient_credit: infobipRejected(12, 'REJECTED_NOT_ENOUGH_CREDITS'),
  },
};

/** A server error body in the vendor's format. */
export const SERVER_ERROR = {
  smscx: smscxError('server_error', 0),
  smsworks: smsworksError('INTERNAL_SERVER_ERROR', 500),
  octopush: octopushError(500),
  infobip: infobipError('GENERAL_ERROR'),
};
export const RATE_LIMITED = {
  smscx: smscxError('rate_limit', 0),
  smsworks: smsworksError('TOO_MANY_REQUESTS', 429),
  octopush: octopushError(429),
  infobip: infobipError('TOO_MANY_REQUESTS'),
};

/**
 * Arms one refusal of `vendor` for its next send. Infobip's per-destination rejections answer 200
 * with every destination of that very request rejected, so its body is built per request: the
 * sandbox cannot, so it is armed as the batch's own answer from `batch` and the message ids sent.
 */
export function armRefusal(sandbox, vendor, refusal, batch, messageIds) {
  if (refusal.rejectEach) {
    const messages = batch.map((to, i) => ({ to: { phoneNumber: to.slice(1) }, status: refusal.rejectEach, messageId: messageIds[i] }));
    sandbox.faults.add({ vendor, path: SEND_PATH[vendor], status: 200, body: { messages } });
    return;
  }
  sandbox.faults.add({ vendor, path: SEND_PATH[vendor], ...refusal });
}

export const sendPath = (vendor) => SEND_PATH[vendor];

/** Digits of a number as any vendor stores it (E.164, or without `+`). */
export const digits = (phone) => phone.replace(/\D/g, '');

/** The numbers the sandbox accepted, by vendor, as digits; and those accepted by more than one vendor, or twice by one. */
export function acceptedByVendor(sandbox) {
  const by = {};
  const twice = [];
  const owner = new Map();
  for (const vendor of VENDORS) {
    const list = sandbox.messages(vendor).map((m) => digits(m.to));
    by[vendor] = new Set(list);
    if (by[vendor].size !== list.length) twice.push(...list.filter((n, i) => list.indexOf(n) !== i).map((n) => `${n} twice at ${vendor}`));
    for (const n of by[vendor]) {
      if (owner.has(n)) twice.push(`${n} at ${owner.get(n)} and ${vendor}`);
      else owner.set(n, vendor);
    }
  }
  return { by, twice, owner };
}
