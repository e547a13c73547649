// Used by fileJournal.test.ts: opens a journal (taking its lock), says so, and waits to be killed.
import { openFileJournal } from '@msgkit/journal';

await openFileJournal(process.argv[2], { provider: 'p', sender: 's', text: 't', options: {}, recipients: 'r' });
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
