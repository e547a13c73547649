import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { compileTemplate, renderTemplate, TemplateError } from './template';

const caught = (f: () => unknown): ValidationError => {
  try {
    f();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('renderTemplate', () => {
  it('fills every placeholder from the row\'s columns', () => {
    expect(renderTemplate('Hi {name}, your code is {code}', { name: 'Ada', code: '4711' })).toBe('Hi Ada, your code is 4711');
    expect(renderTemplate('{ name }{name}', { name: 'x' })).toBe('xx');
    expect(renderTemplate('code {n}', { n: 42 })).toBe('code 42');
  });

  it('writes \\{, \\} and \\\\ as literal characters and leaves any other backslash as it is', () => {
    expect(renderTemplate('\\{name\\} is {name}, C:\\new \\\\{name}', { name: 'Ada' })).toBe('{name} is Ada, C:\\new \\Ada');
  });

  it('refuses a vendor placeholder written with doubled braces instead of changing it silently', () => {
    const error = caught(() => compileTemplate('Stop: {{optoutLink}}'));
    expect(error.issues[0]).toMatchObject({ code: 'template_syntax', path: ['template', 7] });
    expect(error.message).toContain('\\{');
    expect(renderTemplate('Stop: \\{\\{optoutLink\\}\\}', {})).toBe('Stop: {{optoutLink}}');
  });

  it('refuses an unclosed brace, a stray closing brace and an empty placeholder, naming the position', () => {
    expect(caught(() => compileTemplate('Hi {name')).issues[0]).toMatchObject({ code: 'template_syntax', path: ['template', 3] });
    expect(caught(() => compileTemplate('Hi name}')).issues[0]).toMatchObject({ code: 'template_syntax', path: ['template', 7] });
    expect(caught(() => compileTemplate('Hi { }')).issues[0]).toMatchObject({ code: 'template_syntax', path: ['template', 3] });
    expect(caught(() => compileTemplate(7 as never)).issues[0]).toMatchObject({ code: 'invalid_type', path: ['template'] });
  });

  it('refuses an unknown placeholder and an empty value with a TemplateError naming the column and the row', () => {
    const unknown = caught(() => renderTemplate('Hi {name}', { nom: 'Ada' }, { row: 12 }));
    expect(unknown).toBeInstanceOf(TemplateError);
    expect(unknown.issues).toEqual([{ path: ['rows', 12, 'name'], code: 'template_unknown_column', message: expect.stringContaining('row 12') }]);
    const empty = caught(() => renderTemplate('Hi {name}', { name: '' }, { row: 3 })) as TemplateError;
    expect(empty.issues[0]).toMatchObject({ path: ['rows', 3, 'name'], code: 'template_empty_value' });
    expect(empty.message).toContain('row 3');
    expect(empty.message).toContain('"name"');
    expect((caught(() => renderTemplate('{x}', { x: null })) as TemplateError).failure).toEqual({ code: 'template_empty_value', column: 'x' });
    expect(caught(() => renderTemplate('{x}', { x: {} })).issues[0]).toMatchObject({ code: 'invalid_type' });
  });
});

describe('compileTemplate', () => {
  it('binds placeholders to a header once and fills rows by cell index', () => {
    const template = compileTemplate('Hi {name}, code {code}, again {name}');
    expect(template.placeholders).toEqual(['name', 'code']);
    const bound = template.bind(['phone', 'code', ' name ']);
    expect(bound.cells).toEqual([2, 1, 2]);
    expect(bound.fill(['+44', '9', 'Bo'])).toBe('Hi Bo, code 9, again Bo');
    expect(bound.fill(['+44', '', 'Bo'])).toEqual({ code: 'template_empty_value', column: 'code' });
    expect(bound.fill(['+44'])).toEqual({ code: 'template_empty_value', column: 'name' });
    const error = caught(() => bound.render(['+44', '9', ''], 5)) as TemplateError;
    expect(error.row).toBe(5);
    expect(error.failure).toEqual({ code: 'template_empty_value', column: 'name' });
  });

  it('refuses at bind time a placeholder that names no column of the header', () => {
    const error = caught(() => compileTemplate('Hi {first name}').bind(['phone', 'name'])) as TemplateError;
    expect(error.issues).toEqual([{ path: ['template', 'first name'], code: 'template_unknown_column', message: expect.stringContaining('{first name}') }]);
  });

  it('gives a text without placeholders to every row as it is', () => {
    const template = compileTemplate('Sale today');
    expect(template.constant).toBe(true);
    expect(template.bind([]).fill([])).toBe('Sale today');
    expect(template.render({})).toBe('Sale today');
  });

  it('has a digest that is stable for a source and changes with any character of it', () => {
    const a = compileTemplate('Hi {name}');
    expect(a.digest).toBe(compileTemplate('Hi {name}').digest);
    expect(a.digest).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(compileTemplate('Hi {name} ').digest).not.toBe(a.digest);
    expect(compileTemplate('Hi { name}').digest).not.toBe(a.digest);
  });

  it('renders what a naive left-to-right substitution renders, for any values without braces or backslashes', () => {
    const cell = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[{}\\]/.test(s));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, fc.constantFrom('a', 'b', 'c')), { maxLength: 6 }), cell, cell, cell, (pieces, a, b, c) => {
        const source = pieces.map(([text, name]) => `${text}{${name}}`).join('');
        const values = { a, b, c };
        const expected = pieces.map(([text, name]) => text + values[name]).join('');
        expect(renderTemplate(source, values)).toBe(expected);
        expect(compileTemplate(source).bind(['a', 'b', 'c']).fill([a, b, c])).toBe(expected);
      }),
    );
  });
});
