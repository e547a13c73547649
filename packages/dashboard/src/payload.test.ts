import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileJournal } from '@msgkit/journal';
import { afterAll, describe, expect, it } from 'vitest';
import { startDashboard } from './dashboard';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-payload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BATCHES = 10;

/** A finished campaign of `BATCHES` batches of `size` (UK and French numbers): every third batch unknown, the rest sent. */
async function campaign(name: string, size: number): Promise<string> {
  mkdirSync(join(dir, name));
  const path = join(dir, name, 'spring.journal');
  const journal = await openFileJournal(path, { provider: 'smscx', sender: 'Shop', text: 'Hi', options: {}, recipients: name });
  for (let i = 0; i < BATCHES; i++) {
    const recipients = Array.from({ length: size }, (_, k) => {
      const n = i * size + k;
      return n % 4 === 3 ? `+336${String(10_000_000 + n).slice(-8)}` : `+4474${String(n).padStart(8, '0')}`;
    });
    await journal.begin({ index: i, recipients });
    await journal.settle(i, i % 3 === 2 ? { status: 'unknown', code: 'timeout', message: 'no answer' } : { status: 'sent', ids: [`s-${i}`] });
  }
  await journal.close();
  return path;
}

/** The first `summary` event of the page's stream for one campaign, as the bytes on the wire. */
async function summaryEvent(url: string, id: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(new URL(`/api/events?campaign=${id}`, url), { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/event: summary\ndata: [^\n]*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended before a summary');
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  return /event: summary\ndata: [^\n]*\n\n/.exec(text)![0];
}

describe('what the page receives', () => {
  it('is the same size for 100 000 recipients as for 1 000, apart from the digits of the counts: the server aggregates, no recipient goes to the browser', async () => {
    const small = await campaign('small', 100);
    const large = await campaign('large', 10_000);
    const dashboard = await startDashboard({ journals: [small, large] });
    try {
      const list = (await (await fetch(new URL('/api/campaigns', dashboard.url))).json()) as { campaigns: Array<{ id: string; totals: { sent: number } }> };
      const [a, b] = list.campaigns;
      expect([a!.totals.sent, b!.totals.sent]).toEqual([700, 70_000]);
      const events = [await summaryEvent(dashboard.url, a!.id), await summaryEvent(dashboard.url, b!.id)];
      const shapes = events.map((event) => {
        const summary = JSON.parse(event.slice(event.indexOf('data: ') + 6)) as Record<string, unknown>;
        expect(summary).toMatchObject({ failures: [{ code: 'timeout' }] });
        // Its campaign's id and the time of the update differ by campaign; the rest must not, digits aside.
        return JSON.stringify({ ...summary, campaign: undefined, updated: undefined }).replace(/\d+/g, '#');
      });
      expect(shapes[1]).toBe(shapes[0]);
      expect(Buffer.byteLength(events[1]!)).toBeLessThan(4_096);
      expect(Buffer.byteLength(events[1]!) - Buffer.byteLength(events[0]!)).toBeLessThan(100);
    } finally {
      await dashboard.close();
    }
  });
});
