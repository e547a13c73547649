// The sandbox must take what the vendors take: every request example of the four specs, sent as
// its vendor documents it, is accepted (cancels aside: they name tickets and batches this sandbox
// never issued). Ids of things an account owns are the sandbox account's instead: Infobip's
// examples go to its default scenario, SMS.CX campaign examples to its contact groups 1 and 2
// (its group 4 is empty on purpose).
import { loadSpec, requestExamples } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call } from './test/helpers';
import type { Sandbox, Vendor } from './types';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const ROUTES: Record<string, [Vendor, string, string]> = {
  sendSms: ['smscx', 'POST', '/sms'],
  estimateSms: ['smscx', 'POST', '/sms/estimate'],
  sendSmsCampaign: ['smscx', 'POST', '/sms/campaign'],
  estimateSmsCampaign: ['smscx', 'POST', '/sms/campaign/estimate'],
  sendMultichannel: ['smscx', 'POST', '/multichannel'],
  estimateMultichannel: ['smscx', 'POST', '/multichannel/estimate'],
  sendMultichannelCampaign: ['smscx', 'POST', '/multichannel/campaign'],
  estimateMultichannelCampaign: ['smscx', 'POST', '/multichannel/campaign/estimate'],
  sendMessage: ['smsworks', 'POST', '/message/send'],
  scheduleMessage: ['smsworks', 'POST', '/message/schedule'],
  sendBatch: ['smsworks', 'POST', '/batch/send'],
  sendAnyBatch: ['smsworks', 'POST', '/batch/any'],
  scheduleBatch: ['smsworks', 'POST', '/batch/schedule'],
  searchMessages: ['smsworks', 'POST', '/messages'],
  'octopush:sendMultichannel': ['octopush', 'POST', '/multi-channel/send'],
  sendSmsCampaignOctopush: ['octopush', 'POST', '/sms-campaign/send'],
  sendOmniAdvanced: ['infobip', 'POST', '/omni/1/advanced'],
  createScenario: ['infobip', 'POST', '/omni/1/scenarios'],
};

const CANCELS = new Set(['cancelMultichannel', 'cancelSmsCampaign', 'updateScenario']);

const cases = (['smscx', 'smsworks', 'octopush', 'infobip'] as const).flatMap((vendor) =>
  requestExamples(loadSpec(vendor))
    .filter((e) => !CANCELS.has(e.operationId))
    .map((e) => {
      const key = vendor === 'octopush' ? (e.operationId === 'sendSmsCampaign' ? 'sendSmsCampaignOctopush' : `octopush:${e.operationId}`) : e.operationId;
      const route = ROUTES[key];
      if (!route) throw new Error(`no route for ${vendor} ${e.operationId}`);
      const example = e.value as Record<string, unknown>;
      const body =
        vendor === 'infobip' && e.operationId === 'sendOmniAdvanced' ? { ...example, scenarioKey: undefined } : Array.isArray(example.groups) ? { ...example, groups: [1, 2] } : e.value;
      return [`${vendor} ${e.operationId} (${e.name})`, route, body] as const;
    }),
);

describe('every request example of the four specs', () => {
  it.each(cases)('is accepted: %s', async (_name, [vendor, method, path], body) => {
    const answer = await call(sandbox, vendor, method, path, body);
    expect([answer.status, answer.body]).toEqual([expect.toSatisfy((status: number) => status >= 200 && status < 300), expect.anything()]);
  });
});
