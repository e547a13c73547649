// Used by attempts.test.ts: begins and settles failover attempts until killed, printing each batch
// once its attempt is begun (the moment a request would leave).
import { openFileJournal } from '@msgkit/journal';

const chain = ['a', 'b'];
const journal = await openFileJournal(process.argv[2], { provider: chain.join(','), sender: 's', text: 't', options: {}, recipients: 'r' }, { chain });
const record = journal.failover();
let index = 0;
while ((await record.attempts(index)).length > 0) index++;
for (;;) {
  const recipients = Array.from({ length: 300 }, (_, k) => `+4474${String(index * 300 + k).padStart(8, '0')}`);
  await Promise.all([0, 1].map(async (lane) => {
    const i = index + lane;
    await record.begin({ batch: i, attempt: 0, sender: 'a', recipients });
    process.stdout.write(`${i}\n`);
    await record.settle(i, 0, { status: 'refused', failover: true, class: 'authentication', code: 'authentication_error', message: 'x' });
  }));
  index += 2;
}
