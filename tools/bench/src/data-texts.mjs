// 10 000 SMS texts of 1 to 1 000 UTF-16 units, generated from a seed, mixing what real traffic
// mixes: plain GSM-7, GSM-7 extension characters, accented Latin inside GSM-7 (é ü ñ) and outside
// it (ç ã ő ł ș), Cyrillic, Greek (capitals partly in GSM-7, small letters not), and emoji
// including ZWJ sequences. Texts are built from whole tokens, so none ends in half a surrogate pair.
import { pick, seeded } from './harness.mjs';

const WORDS = {
  gsm: ['Your', 'code', 'is', '4821', 'delivery', 'today', 'at', '14:30.', 'Reply', 'STOP', 'to', 'opt', 'out', '@home', '50%', 'off!', '(ref', '#A12)', 'Thanks', '£5', '¥', '¿Qué?', '§3'],
  extension: ['{promo}', '[info]', '€20', 'a|b', '~approx', '^up', 'C:\\path', '\f'],
  accentedGsm: ['café', 'Müller', 'niño', 'à', 'über', 'Ørsted', 'Åse', 'ÉCOLE', 'Ñandú', 'è'],
  accentedOther: ['garçon', 'São', 'Őrség', 'Łódź', 'București', 'naïve', 'Ångström', 'fiancée', 'Škoda', 'ça'],
  cyrillic: ['Привет', 'код', 'доставка', 'сегодня', 'Ёлка', 'спасибо', 'Україна', 'їжак'],
  greek: ['ΔΦΓΛΩ', 'Καλημέρα', 'κωδικός', 'ΣΑΣ', 'ευχαριστώ', 'ΘΞΠΨ'],
  emoji: ['😀', '👍🏽', '👩‍👩‍👧', '🏳️‍🌈', '❤️', '🇬🇧', '👨‍💻', '🎉', '☕'],
};

const MIXES = [
  ['gsm'],
  ['gsm', 'gsm', 'extension'],
  ['gsm', 'accentedGsm'],
  ['gsm', 'accentedOther'],
  ['cyrillic', 'gsm'],
  ['greek', 'gsm'],
  ['gsm', 'emoji'],
  ['cyrillic', 'emoji', 'extension'],
  ['gsm', 'gsm', 'gsm', 'gsm', 'accentedOther'],
];

export function texts(count = 10_000, seed = 424242) {
  const random = seeded(seed);
  const out = [];
  while (out.length < count) {
    const target = 1 + Math.floor(random() * 1000);
    const mix = pick(random, MIXES);
    let text = '';
    for (;;) {
      const word = pick(random, WORDS[pick(random, mix)]);
      const next = text === '' ? word : `${text} ${word}`;
      if (next.length > target) break;
      text = next;
    }
    if (text === '') text = 'ok'.slice(0, target);
    out.push(text);
  }
  // Concatenation leaves ropes; texts that reach an SMS client come from JSON or a database
  // driver as flat strings, so give every contender flat strings.
  return JSON.parse(JSON.stringify(out));
}
