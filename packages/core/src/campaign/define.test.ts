import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../errors';
import { createSender, senderFactory } from './define';
import type { CampaignMessage, SenderFacts } from './sender';

const facts: SenderFacts = {
  name: 'v',
  maxRecipients: 10,
  dedupe: false,
  credentials: [{ env: 'V_KEY', what: 'key' }],
  options: [],
  callback: false,
  reference: false,
  clientIds: false,
  refusals: [],
  recipientRefusals: [],
};

function counting() {
  const checked: string[] = [];
  const sends: string[][] = [];
  const sender = createSender(facts, {
    rules: (message) => {
      checked.push(message.text);
      return message.text.length > 5 ? [{ path: ['text'], code: 'text_too_long', message: 'too long' }] : [];
    },
    send: async (batch) => {
      sends.push([...batch]);
      return { ids: ['x'] };
    },
  });
  return { sender, checked, sends };
}

describe('createSender', () => {
  it("checks a message once per content, and again when it changed between two batches", () => {
    const { sender, checked } = counting();
    const message: CampaignMessage = { text: 'hi' };
    expect(sender.validate(message)).toEqual([]);
    expect(sender.validate(message)).toEqual([]);
    expect(checked).toEqual(['hi']);
    message.text = 'changed!';
    expect(sender.validate(message)).toEqual([expect.objectContaining({ code: 'text_too_long' })]);
    expect(checked).toEqual(['hi', 'changed!']);
  });

  it('checks an unchanged message again for every batch without serializing it, and sees each change to it', () => {
    const { sender, checked } = counting();
    const message: CampaignMessage = { text: 'hi', from: 'Shop' };
    sender.validate(message, { callbackUrl: 'https://r', dedupeKey: 'k1' });
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      for (let batch = 0; batch < 3; batch++) expect(sender.validate(message, { callbackUrl: 'https://r', dedupeKey: `k${batch}` })).toEqual([]);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
    expect(checked).toEqual(['hi']);
    message.from = 'Other';
    sender.validate(message, { callbackUrl: 'https://r' });
    sender.validate(message, { callbackUrl: 'https://other' });
    sender.validate(message, { callbackUrl: 'https://other', reference: 'ref' });
    expect(checked).toHaveLength(4);
    // Options are nested: a change inside them is seen too.
    const options = { v: { type: 'a' } };
    message.options = options;
    sender.validate(message, { callbackUrl: 'https://other', reference: 'ref' });
    options.v.type = 'b';
    sender.validate(message, { callbackUrl: 'https://other', reference: 'ref' });
    expect(checked).toHaveLength(6);
  });

  it('refuses a key the vendor would refuse every time it is given, after a good one or not', () => {
    const sender = createSender({ ...facts, dedupe: { field: 'id', repeat: 'replays', format: 'uuid', source: 'test' } }, { rules: () => [], send: async () => ({ ids: ['x'] }) });
    const good = '2d0d6b5a-8e4c-4f0f-9d53-0c2f1c9b7a11';
    for (const key of ['batch-7', good, 'batch-7', 'batch-7', good]) {
      expect(sender.validate({ text: 'hi' }, { dedupeKey: key }).map((i) => i.code)).toEqual(key === good ? [] : ['uuid_invalid']);
    }
  });

  it('refuses before sending what its rules refuse, and hands back copies of the issues', async () => {
    const { sender, sends } = counting();
    await expect(sender.send(['+1'], { text: 'far too long' })).rejects.toBeInstanceOf(ValidationError);
    expect(sends).toEqual([]);
    sender.validate({ text: 'far too long' }).pop();
    expect(sender.validate({ text: 'far too long' })).toHaveLength(1);
    await sender.send(['+1'], { text: 'ok' });
    expect(sends).toEqual([['+1']]);
  });

  it('refuses a message that is not one without asking the vendor rules', () => {
    const { sender, checked } = counting();
    expect(sender.validate(undefined as unknown as CampaignMessage)[0]).toMatchObject({ code: 'invalid_type' });
    expect(checked).toEqual([]);
  });
});

describe('senderFactory', () => {
  it('hands create the credential values and the options, and keeps the facts', () => {
    const factory = senderFactory(facts, (credentials, options) => ({ ...counting().sender, name: `${credentials.V_KEY}@${options.baseUrl}` }));
    expect(factory.fromEnv({ V_KEY: 'k' }, { baseUrl: 'http://127.0.0.1:1' }).name).toBe('k@http://127.0.0.1:1');
    expect(factory.maxRecipients).toBe(10);
    expect(() => factory.fromEnv({})).toThrow('v needs V_KEY in the environment');
  });
});
