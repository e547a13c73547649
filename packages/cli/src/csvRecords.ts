/**
 * The records of a CSV file, streamed, with every record read before a parse error handed out
 * before the error. csv-parse's stream, iterated with `for await`, drops the records it still
 * buffers when it fails (an unterminated quote is only found at the end of the file), and the
 * rows before a bad one would then vanish unaccounted; here each record is taken as it is parsed
 * (`on_record`) and the file is fed chunk by chunk only as the records are consumed, so memory
 * stays at one chunk's records however long the file.
 */
import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parse, type Options } from 'csv-parse';

export async function* csvRecords(path: string, options: Options): AsyncGenerator<string[]> {
  let queue: string[][] = [];
  let failure: { error: unknown } | undefined;
  const parser = parse({
    ...options,
    on_record: (record: string[]) => {
      queue.push(record);
      // Taken here rather than pushed: the stream stays empty and can never hold records back.
      return null;
    },
  });
  parser.on('error', (error) => (failure ??= { error }));
  parser.resume();
  const drain = function* () {
    const records = queue;
    queue = [];
    yield* records;
  };
  for await (const chunk of createReadStream(path)) {
    parser.write(chunk);
    yield* drain();
    if (failure) break;
  }
  if (!failure) {
    parser.end();
    await finished(parser).catch((error: unknown) => (failure ??= { error }));
  }
  yield* drain();
  if (failure) throw failure.error;
}
