// The generated models' FromJSON and ToJSON (compactModels: one runtime.mapModel call each) return
// what the stock template's object literals returned: the same keys in the same order, null and
// undefined treated as each literal treated them, a missing required list failing as `.map` fails.
// Each expectation below was also met by the literals (the models before compactModels).
import { describe, expect, it } from 'vitest';
import {
  DeliveryReportFromJSON,
  OmniAdvancedRequestToJSON,
  ScenarioFromJSON,
  ScenarioToJSON,
  SendOmniAdvancedResponseFromJSON,
  WhatsAppDataToJSON,
} from './generated/index';

describe('the generated models', () => {
  it('give back undefined and null as they are, both ways', () => {
    expect(DeliveryReportFromJSON(undefined)).toBeUndefined();
    expect(DeliveryReportFromJSON(null)).toBeNull();
    expect(OmniAdvancedRequestToJSON(undefined)).toBeUndefined();
    expect(OmniAdvancedRequestToJSON(null)).toBeNull();
  });

  it('read an answer field by field in the spec\'s order: optional values null → undefined, required ones as given, nested models through their own reading', () => {
    const report = DeliveryReportFromJSON({ messageId: null, bulkId: null, to: '41793026727', status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: null }, price: null, channel: 'SMS', extra: 1 });
    expect(Object.keys(report)).toEqual(['bulkId', 'messageId', 'to', 'sentAt', 'doneAt', 'messageCount', 'mccMnc', 'price', 'status', 'error', 'channel', 'callbackData', 'contact']);
    expect(report).toStrictEqual({
      bulkId: undefined,
      messageId: null,
      to: '41793026727',
      sentAt: undefined,
      doneAt: undefined,
      messageCount: undefined,
      mccMnc: undefined,
      price: undefined,
      status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: undefined, action: undefined },
      error: undefined,
      channel: 'SMS',
      callbackData: undefined,
      contact: undefined,
    });
  });

  it('rename a field whose name is not the wire\'s (default ↔ _default), both ways', () => {
    const scenario = ScenarioFromJSON({ key: 'K', flow: [{ channel: 'SMS', from: null }], default: true });
    expect(scenario).toStrictEqual({ key: 'K', name: undefined, flow: [{ from: undefined, channel: 'SMS' }], _default: true, defaultScenario: undefined });
    expect(ScenarioToJSON(scenario)).toStrictEqual({ key: 'K', name: undefined, flow: [{ from: undefined, channel: 'SMS' }], default: true, defaultScenario: undefined });
  });

  it('fail on a missing required list with the TypeError of .map, as the literals did', () => {
    expect(() => ScenarioFromJSON({ key: 'K' })).toThrow(new TypeError("Cannot read properties of undefined (reading 'map')"));
    expect(() => SendOmniAdvancedResponseFromJSON({ bulkId: 'b', messages: null })).toThrow(new TypeError("Cannot read properties of null (reading 'map')"));
    expect(SendOmniAdvancedResponseFromJSON({ messages: [] })).toStrictEqual({ bulkId: undefined, messages: [] });
  });

  it('write a request with every field of the model, values as given (null kept), an optional list undefined when missing', () => {
    const wire = OmniAdvancedRequestToJSON({ destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi', transliteration: null as never }, notify: false });
    expect(Object.keys(wire)).toEqual(['scenarioKey', 'bulkId', 'destinations', 'sms', 'viber', 'voice', 'email', 'push', 'whatsApp', 'line', 'vKontakte', 'kakaoChingu', 'kakaoAlim', 'notify', 'intermediateReport', 'notifyUrl', 'notifyContentType', 'callbackData', 'sendAt']);
    expect(wire.destinations).toStrictEqual([{ messageId: undefined, to: { phoneNumber: '41793026727', emailAddress: undefined, pushRegistrationId: undefined, whatsAppUserId: undefined } }]);
    expect(wire.sms).toStrictEqual({ text: 'Hi', validityPeriod: undefined, validityPeriodTimeUnit: undefined, transliteration: null, language: undefined, regional: undefined });
    expect(wire.notify).toBe(false);
    expect(wire.viber).toBeUndefined();
    const whatsApp = WhatsAppDataToJSON({ text: 'Hi' });
    expect(Object.prototype.hasOwnProperty.call(whatsApp, 'contacts')).toBe(true);
    expect(whatsApp.contacts).toBeUndefined();
    // The literal wrote `value.contacts === undefined ? undefined : value.contacts.map(…)`: null fails.
    expect(() => WhatsAppDataToJSON({ text: 'Hi', contacts: null as never })).toThrow(TypeError);
  });
});
