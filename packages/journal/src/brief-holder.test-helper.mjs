// Used by fileJournal.test.ts: holds a journal the way a delivery-report receiver does (a brief
// hold), says so, releases it when told on stdin, says so, and then waits to be killed.
import { reopenFileJournal } from '@msgkit/journal';

const journal = await reopenFileJournal(process.argv[2], { brief: true });
process.stdout.write('locked\n');
process.stdin.once('data', async () => {
  await journal.close();
  process.stdout.write('released\n');
});
setInterval(() => undefined, 60_000);
