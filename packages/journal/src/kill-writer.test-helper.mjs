// Used by fileJournal.test.ts: appends begin/settle pairs until killed, printing each settled index.
import { openFileJournal } from '@msgkit/journal';

const journal = await openFileJournal(process.argv[2], { provider: 'p', sender: 's', text: 't', options: {}, recipients: 'r' });
let index = 0;
while (journal.batch(index)) index++;
for (;;) {
  const recipients = Array.from({ length: 500 }, (_, k) => `+4474${String(index * 500 + k).padStart(8, '0')}`);
  await Promise.all([0, 1].map(async (lane) => {
    const i = index + lane;
    await journal.begin({ index: i, recipients });
    await journal.settle(i, { status: 'sent', ids: [`id-${i}`] });
    process.stdout.write(`${i}\n`);
  }));
  index += 2;
}
