/**
 * The worker thread of `msgkit normalize --csv` on a long list (see phoneWorker.ts): judges and
 * writes each chunk's rows (ChunkWriter) and answers with their bytes and typed arrays, transferred
 * rather than copied, in the order the chunks came. The main thread keeps everything that depends
 * on row order: the duplicate check, the tally, and the output.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkWriter, READY } from './judgeChunk';
import type { JudgeRequest, PhoneWorkerData } from './phoneWorker';

const port = parentPort;
if (!port) throw new Error('normalizeWorker runs as a worker thread');
const { defaultCountry, allowLandline } = workerData as PhoneWorkerData;
const chunks = new ChunkWriter(defaultCountry, allowLandline);
// Loaded (the phone metadata with it): the main thread sends chunks from now on (see PhoneWorker.ready).
port.postMessage(READY);

/** A chunk as JudgeRequest carries it, or (more than 255 distinct countries in a chunk) as arrays. */
type Message = JudgeRequest | { inputs: string[]; countries: Array<string | undefined>; lines: Float64Array };

port.on('message', (message: Message) => {
  let inputs: string[];
  let countries: Array<string | undefined>;
  if ('inputs' in message) ({ inputs, countries } = message);
  else {
    const { text, lengths, countries: indexes, countryNames } = message;
    inputs = new Array<string>(lengths.length);
    countries = new Array<string | undefined>(lengths.length);
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const end = at + lengths[i]!;
      inputs[i] = text.slice(at, end);
      at = end;
      const index = indexes[i]!;
      countries[i] = index === 0 ? undefined : countryNames[index - 1];
    }
  }
  const answer = chunks.write(inputs, countries, message.lines);
  port.postMessage(answer, [answer.bytes.buffer as ArrayBuffer, answer.statusAt.buffer as ArrayBuffer, answer.values.buffer as ArrayBuffer]);
});
