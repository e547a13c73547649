import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { suggestCheaper } from './cheaper';
import { countSegments } from './segments';

describe('suggestCheaper', () => {
  it('turns typographic quotes, dashes, the ellipsis and a non-breaking space back into GSM-7', () => {
    const text = `Don’t miss it \u2014 “50% off”\u00a0today… ${'x'.repeat(60)}`;
    const result = suggestCheaper(text);
    expect(result.before).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(result.combined.text).toBe(`Don't miss it - "50% off" today... ${'x'.repeat(60)}`);
    expect(result.combined.count).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(result.substitutions.map((s) => [s.from, s.to, s.kind])).toEqual([
      ['’', "'", 'typography'],
      ['—', '-', 'typography'],
      ['“', '"', 'typography'],
      ['”', '"', 'typography'],
      ['\u00a0', ' ', 'space'],
      ['…', '...', 'typography'],
    ]);
    // Alone, none of them leaves UCS-2; together they do.
    expect(result.substitutions.every((s) => s.before === 2 && s.after === 2)).toBe(true);
  });

  it('reports a substitution that lowers the count alone with its before and after', () => {
    const text = 'Promo: ' + 'a'.repeat(80) + '’';
    expect(suggestCheaper(text).substitutions).toEqual([{ from: '’', to: "'", kind: 'typography', occurrences: 1, before: 2, after: 1 }]);
  });

  it('suggests nothing when no substitution lowers the count, and keeps the text', () => {
    const text = 'Привет, как дела? — Хорошо';
    const result = suggestCheaper(text);
    expect(result.substitutions).toEqual([]);
    expect(result.combined.text).toBe(text);
  });

  it('transliterates accented letters that have a plain one in the default alphabet', () => {
    const text = 'Promoção válida até domingo para você e sua família '.repeat(2);
    const result = suggestCheaper(text);
    expect(result.combined.count.encoding).toBe('GSM-7');
    expect(result.substitutions.map((s) => s.from).sort()).toEqual(['ã', 'á', 'ç', 'ê', 'í'].sort());
    expect(result.combined.text).toContain('PromoÇao valida');
  });

  it('leaves letters the national tables have when counting with a language, and names the languages that would help', () => {
    const text = 'Sipariş kargoya verildi, teşekkürler ’ '.repeat(3);
    const withTurkish = suggestCheaper(text, { language: 'tr' });
    expect(withTurkish.combined.text).toContain('Sipariş');
    expect(withTurkish.substitutions.map((s) => s.from)).toEqual(['’']);
    expect(withTurkish.combined.count).toMatchObject({ segments: 1, national: { lockingShift: true } });
    expect(suggestCheaper(text.replaceAll('’', '')).languages.map((l) => l.language)).toContain('tr');
  });

  it('never returns a combined text that costs more than the original', () => {
    for (const text of ['', 'plain', 'ş’'.repeat(50), '“😀”'.repeat(30), 'â\u200b'.repeat(90)]) {
      const result = suggestCheaper(text);
      expect(result.combined.count.segments).toBeLessThanOrEqual(countSegments(text).segments);
    }
  });

  it('refuses a text that is not a string', () => {
    expect(() => suggestCheaper(42 as never)).toThrow(ValidationError);
  });
});
