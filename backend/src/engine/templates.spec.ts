import { jest } from '@jest/globals';
import { isTruthy } from '../common/truthy.js';
import { checkTemplateSyntax, renderTemplate, renderValue } from './templates.js';

describe('templates', () => {
  const payload = { user: { name: 'Alex' }, order: { id: '12345', total: 42 }, tags: ['a', 'b'] };

  it("renders GoFlow's example as written", () => {
    expect(renderTemplate('Hello {{user.name}}! Order #{{order.id}}', payload)).toEqual({ value: 'Hello Alex! Order #12345', warnings: [] });
  });

  it('does not HTML-escape', () => {
    expect(renderTemplate('{{x}} & more', { x: '<b>"q"</b>' }).value).toBe('<b>"q"</b> & more');
  });

  it('keeps the type of a single-expression template', () => {
    expect(renderTemplate('{{order.total}}', payload).value).toBe(42);
    expect(renderTemplate('{{tags}}', payload).value).toEqual(['a', 'b']);
  });

  it('lists missing paths as warnings and renders them empty', () => {
    const r = renderTemplate('Hi {{user.surname}} {{nope.deep}}', payload);
    expect(r.value).toBe('Hi  ');
    expect(r.warnings).toEqual(['missing path: user.surname', 'missing path: nope.deep']);
  });

  it('offers the helpers', () => {
    expect(renderTemplate('{{upper user.name}} {{lower "ABC"}}', payload).value).toBe('ALEX abc');
    expect(renderTemplate('{{default user.nick "anon"}}', payload).value).toBe('anon');
    expect(renderTemplate('{{json order}}', payload).value).toBe('{"id":"12345","total":42}');
    expect(renderTemplate('{{#if (and (eq order.id "12345") (not missing))}}yes{{else}}no{{/if}}', payload).value).toBe('yes');
    expect(renderTemplate('{{#if (or false 0)}}yes{{else}}no{{/if}}', payload).value).toBe('no');
    expect(renderTemplate('{{date when "YYYY-MM-DD"}}', { when: '2026-03-04T10:00:00Z' }).value).toBe('2026-03-04');
  });

  it('refuses prototype access', () => {
    expect(renderTemplate('{{constructor.name}}', payload).value).toBe('');
    expect(renderTemplate('x{{user.__proto__}}{{user.constructor}}', payload).value).toBe('x');
  });

  it('reads $execution, $now and steps', () => {
    const ctx = { ...payload, steps: { fetch: { body: { temp: 21 } } }, $execution: { id: 'e1' }, $now: '2026-01-01T00:00:00Z' };
    expect(renderTemplate('{{$execution.id}} {{steps.fetch.body.temp}} {{$now}}', ctx).value).toBe('e1 21 2026-01-01T00:00:00Z');
  });

  it('renders nested input objects', () => {
    expect(renderValue({ a: ['{{user.name}}', 3], b: { c: '#{{order.id}}' } }, payload)).toEqual({ a: ['Alex', 3], b: { c: '#12345' } });
  });

  it('reports syntax errors with a position', () => {
    expect(checkTemplateSyntax('Hello {{user.name}}')).toBeNull();
    const err = checkTemplateSyntax('Hello\n  {{user.name}');
    expect(err).not.toBeNull();
    expect(err!.line).toBe(2);
    expect(err!.column).toBe(14); // the lone '}'
    expect(err!.message).toMatch(/Parse error/);
    expect(checkTemplateSyntax('{{#if x}}open')).not.toBeNull();
  });

  it('refuses at save time a call of a helper that does not exist, Handlebars\' removed `log` included, with its position', () => {
    expect(checkTemplateSyntax('Order {{log "x"}}')).toEqual({ message: expect.stringMatching(/^Unknown helper "log" \(helpers: .*json.*\)$/), line: 1, column: 9 });
    expect(checkTemplateSyntax('a\n{{#if ok}}\n  {{upper (log "forged" level="error")}}\n{{/if}}')).toMatchObject({ message: expect.stringMatching(/^Unknown helper "log"/), line: 3, column: 12 });
    expect(checkTemplateSyntax('{{#log "x"}}y{{/log}}')).toMatchObject({ message: expect.stringMatching(/^Unknown helper "log"/), line: 1, column: 4 });
    expect(checkTemplateSyntax('{{shout user.name}}')).toMatchObject({ message: expect.stringMatching(/^Unknown helper "shout"/) });
    // Data lookups and sections are not helper calls: `log` as a field of the payload stays usable.
    expect(checkTemplateSyntax('{{log}} {{#log}}{{.}}{{/log}} {{lookup user "name"}} {{#each items}}{{json this}}{{/each}} {{default x "y"}}')).toBeNull();
    expect(renderTemplate('{{log}}', { log: 'entry' }).value).toBe('entry');
  });

  it('writes nothing to stdout or stderr when a template tries to log or reach the prototype', () => {
    const writes: unknown[] = [];
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => writes.push(chunk) > 0),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => writes.push(chunk) > 0),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...args) => void writes.push(args))),
    ];
    try {
      const forged = '{{log \'{"level":50,"msg":"forged admin login"}\' level="error"}}';
      expect(() => renderTemplate(`x ${forged}`, {})).toThrow(/Missing helper: "log"/);
      expect(renderTemplate('{{toString}}{{valueOf}} {{user.hasOwnProperty}}{{constructor}}!', { user: {} }).value).toBe(' !');
      expect(renderTemplate('{{#with user}}{{isPrototypeOf}}{{/with}}ok', { user: { name: 'a' } }).value).toBe('ok');
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(writes).toEqual([]);
  });

  it('judges truthiness of rendered conditions', () => {
    expect(['true', 'yes', '1', 'x'].map(isTruthy)).toEqual([true, true, true, true]);
    expect(['false', '0', '', 'null', ' '].map(isTruthy)).toEqual([false, false, false, false, false]);
  });
});
