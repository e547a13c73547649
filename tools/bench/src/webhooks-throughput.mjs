// Delivery reports verified and reduced per CPU second of one core (target ≥ 20 000 events/s): the
// whole receiver path of @msgkit/webhooks, in process (Request → token check → replay check →
// the vendor's parser → ledger), on seeded callbacks in each vendor's own batch size. The anchor,
// measured in the same run on the same bodies, is a bare JSON.parse of every body: the least any
// receiver must do. Exits non-zero when the mixed workload is under the target.
import { randomBytes } from 'node:crypto';
import { infobipReports } from '@msgkit/infobip';
import { octopushReports } from '@msgkit/octopush';
import { smscxReports } from '@msgkit/smscx';
import { smsworksReports } from '@msgkit/smsworks';
import { createCallbackUrl, createWebhookHandler, MemoryReplayStore } from '@msgkit/webhooks';
import { median, seeded } from './harness.mjs';

const TARGET = 20_000;
const EVENTS = 40_000;
const secret = randomBytes(32);
const base = 'https://hooks.example.com/dlr';
const STATUS = { smscx: ['ACCEPTED', 'SENT', 'DELIVERED', 'FAILED'], infobip: ['PENDING_ENROUTE', 'DELIVERED_TO_OPERATOR', 'DELIVERED_TO_HANDSET', 'UNDELIVERABLE_NOT_DELIVERED'], octopush: ['ACK', 'DELIVERED', 'NOT_DELIVERED'], smsworks: ['SENT', 'DELIVERED', 'UNDELIVERABLE'] };
const GROUP = { PENDING_ENROUTE: 'PENDING', DELIVERED_TO_OPERATOR: 'DELIVERED', DELIVERED_TO_HANDSET: 'DELIVERED', UNDELIVERABLE_NOT_DELIVERED: 'UNDELIVERABLE' };
// Reports per POST as each vendor batches them (SMS.CX up to 200, Infobip up to 100 in the sandbox).
const PER_POST = { smscx: 200, infobip: 100, octopush: 1, smsworks: 1 };

function item(vendor, id, status, at) {
  const date = new Date(at);
  if (vendor === 'smscx') return { campaignId: 'c', msgId: id, trackData: null, statusCode: 1, status, errorCode: status === 'FAILED' ? 1 : null, datetime: date.toISOString().slice(0, 19).replace('T', ' ') };
  if (vendor === 'infobip') return { bulkId: 'b', messageId: id, to: '41793026731', doneAt: date.toISOString().replace('Z', '+0000'), messageCount: 1, price: { pricePerMessage: 0.01, currency: 'EUR' }, status: { groupId: 1, groupName: GROUP[status], id: 5, name: status }, error: { id: 0 }, channel: 'SMS' };
  if (vendor === 'octopush') return { channel: 'sms', message_id: id, number: '+33600112233', status, unit_price: 0.05, delivery_date: date.toISOString().slice(0, 19).replace('T', ' ') };
  return { messageid: id, status, destination: 447777777777, modified: date.toISOString() };
}

const body = (vendor, items) => JSON.stringify(vendor === 'smscx' ? { event: 'dlr_update', data: items } : vendor === 'infobip' ? { results: items } : items[0]);

/** Seeded callbacks of one vendor: `EVENTS` reports over EVENTS/3 messages, shuffled. */
function callbacks(vendor) {
  const random = seeded(vendor.length * 7919);
  const url = createCallbackUrl({ baseUrl: base, secret, vendor, campaign: 'bench', batch: 0, ttlSeconds: 3600 });
  const reports = [];
  for (let i = 0; reports.length < EVENTS; i++) for (const status of STATUS[vendor].slice(0, 2 + Math.floor(random() * 2))) reports.push(item(vendor, `${vendor}-${i}`, status, 1_900_000_000_000 + reports.length));
  for (let i = reports.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [reports[i], reports[j]] = [reports[j], reports[i]];
  }
  const posts = [];
  for (let i = 0; i < reports.length; i += PER_POST[vendor]) posts.push(body(vendor, reports.slice(i, i + PER_POST[vendor])));
  return { url, posts };
}

const JSON_HEADERS = { get: (name) => (name === 'content-type' ? 'application/json' : null) };

/**
 * `web`: the Web-standard handler, a `Request` built per callback as Hono or an edge runtime hands
 * it over. `node`: `handler.receive`, the path `toNodeListener` takes for node:http, Express and
 * Fastify (the body read into a Buffer, no Request/Response objects).
 */
async function receive(vendor, data, path) {
  const handler = createWebhookHandler({ formats: [smscxReports, infobipReports, octopushReports, smsworksReports], secrets: [secret], replay: new MemoryReplayStore({ maxEntries: 1_000_000 }) });
  const bodies = path === 'node' ? data.posts.map((post) => Buffer.from(post)) : data.posts;
  const cpu = process.cpuUsage();
  for (const post of bodies) {
    const status =
      path === 'node'
        ? (await handler.receive({ method: 'POST', url: data.url, headers: JSON_HEADERS, body: post })).status
        : (await handler(new Request(data.url, { method: 'POST', body: post, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(post)) } }))).status;
    if (status !== 200) throw new Error(`${vendor}: ${status}`);
  }
  return { ms: cpuMs(cpu), events: handler.stats.events, messages: handler.ledger.size };
}

function anchor(data) {
  const cpu = process.cpuUsage();
  let n = 0;
  for (const post of data.posts) n += JSON.stringify(JSON.parse(post)).length > 0 ? 1 : 0;
  return { ms: cpuMs(cpu), n };
}

/**
 * CPU time of this process since `from`, in ms: what one core spent, whatever else the machine
 * runs (wall time on a loaded machine would measure the other processes too).
 */
function cpuMs(from) {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

export async function run() {
  let failed = false;
  for (const path of ['node', 'web']) {
    const rows = [];
    let totalEvents = 0;
    let totalMs = 0;
    for (const vendor of ['smscx', 'infobip', 'octopush', 'smsworks']) {
      const data = callbacks(vendor);
      await receive(vendor, { url: data.url, posts: data.posts.slice(0, Math.ceil(data.posts.length / 10)) }, path); // warm-up
      const runs = [];
      const anchors = [];
      for (let round = 0; round < 3; round++) {
        runs.push(await receive(vendor, data, path));
        anchors.push(anchor(data).ms);
      }
      const ms = median(runs.map((r) => r.ms));
      const events = runs[0].events;
      totalEvents += events;
      totalMs += ms;
      rows.push({ vendor, posts: data.posts.length, events, messages: runs[0].messages, perSecond: Math.round((events / ms) * 1000), vsParse: (ms / median(anchors)).toFixed(1) });
    }
    console.log(`\n${path === 'node' ? 'handler.receive (node:http, Express, Fastify through toNodeListener)' : 'handler(Request) (Hono, edge runtimes)'}:`);
    for (const r of rows) console.log(`  ${r.vendor.padEnd(9)} ${String(r.posts).padStart(6)} POSTs ${String(r.events).padStart(6)} events ${String(r.messages).padStart(6)} messages: ${String(r.perSecond).padStart(7)} events/s verified and reduced (${r.vsParse}× a bare JSON parse of the bodies)`);
    const overall = Math.round((totalEvents / totalMs) * 1000);
    console.log(`  all four: ${overall} events per CPU second (target ≥ ${TARGET}); one report per POST (Octopush, The SMS Works): ${Math.min(...rows.map((r) => r.perSecond))} events/s`);
    if (path === 'node' && overall < TARGET) failed = true;
  }
  if (failed) {
    console.log('webhooks throughput under target');
    process.exitCode = 1;
  }
}
