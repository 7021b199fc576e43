import { describe, expect, it } from 'vitest';
import {
  callable,
  isRawStatement,
  parseTemplate,
  renderTemplate,
  templateNames,
  TemplateError,
} from '../../../src/meta/template.js';

const scope = {
  a: 'x',
  html: `<&"'\`=>`,
  n: 42,
  f: false,
  list: ['beta', 67],
  obj: { deep: { v: 'd' } },
  nothing: null,
  echo: callable(
    (params, hash) =>
      `${params.map(String).join('|')}${Object.keys(hash).length ? `#${JSON.stringify(hash)}` : ''}`,
  ),
  self: callable(() => 'called'),
};

describe('renderTemplate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['{{a}}', 'x'],
    ['{{ a }}', 'x'],
    ['<{{a}}>', '<x>'],
    ['{{html}}', '&lt;&amp;&quot;&#x27;&#x60;&#x3D;&gt;'],
    ['{{{html}}}', `<&"'\`=>`],
    ['{{& html}}', `<&"'\`=>`],
    ['{{unknown}}', ''],
    ['a{{nothing}}b', 'ab'],
    ['{{n}}', '42'],
    ['{{f}}', 'false'],
    ['{{list}}', 'beta,67'],
    ['{{obj.deep.v}}', 'd'],
    ['{{obj/deep/v}}', 'd'],
    ['{{this.a}}', 'x'],
    ['{{./a}}', 'x'],
    ['{{[a]}}', 'x'],
    ['{{obj}}', '[object Object]'],
    ['{{obj.missing.v}}', ''],
    ['{{constructor}}', ''],
    ['{{@index}}', ''],
    ['{{self}}', 'called'],
    ["{{echo 'YYYY'}}", 'YYYY'],
    ['{{echo "double \\" quote"}}', 'double &quot; quote'],
    ["{{echo 'single \\' quote'}}", 'single &#x27; quote'],
    ["{{echo 'a' 'b'}}", 'a|b'],
    ['{{echo 1 -2 3.5}}', '1|-2|3.5'],
    ['{{echo true false null}}', 'true|false|null'],
    ['{{echo a}}', 'x'],
    ['{{echo YYYY-MM-DD}}', 'undefined'],
    ["{{echo 'F' tz='Asia/Tokyo'}}", 'F#{&quot;tz&quot;:&quot;Asia/Tokyo&quot;}'],
    ["{{echo 'F' tz = 'UTC'}}", 'F#{&quot;tz&quot;:&quot;UTC&quot;}'],
    ['{{a 1}}', 'x'],
    ['\\{{a}}', '{{a}}'],
    ['\\\\{{a}}', '\\x'],
    ['{{! a comment }}x', 'x'],
    ['{{!-- a }} comment --}}x', 'x'],
    [' x {{~a~}} y ', ' xxy '],
    ['a {{~! c ~}} b', 'ab'],
    ['{ not } a { template }', '{ not } a { template }'],
    ['', ''],
  ])('%s', (template, expected) => {
    expect(renderTemplate(template, scope)).toBe(expected);
  });

  it.each([
    ['{{', /never closed/],
    ['a {{b', /never closed/],
    ['{{}}', /empty expression/],
    ['{{   }}', /empty expression/],
    ["{{echo 'b}}", /unterminated string/],
    ['{{echo a=}}', /missing value for a=/],
    ['{{echo a=1 b}}', /arguments must come before key=value pairs/],
    ['{{echo (a)}}', /sub-expressions/],
    ['{{#if a}}x{{/if}}', /not supported/],
    ['{{> partial}}', /not supported/],
    ['{{else}}', /not supported/],
    ["{{a'b}}", /unexpected/],
    ['{{!-- never closed', /unterminated comment/],
    ["{{missing 'x'}}", /missing helper "missing"/],
  ])('%s is an error', (template, message) => {
    expect(() => renderTemplate(template, scope)).toThrow(TemplateError);
    expect(() => renderTemplate(template, scope)).toThrow(message);
  });

  it('errors thrown by a function propagate', () => {
    const s = {
      boom: callable(() => {
        throw new TemplateError('boom');
      }),
    };
    expect(() => renderTemplate('{{boom}}', s)).toThrow('boom');
  });
});

describe('isRawStatement (the action isRawStatement table, and more)', () => {
  it.each([
    ['{{ raw }}.{{ version }}', false],
    ['{{ version }},{{raw }.', false],
    ['{{ raw }}', true],
    ['{{ raw}}', true],
    ['{{raw}}', true],
    ['{{{raw}}}', true],
    ['{{this.raw}}', true],
    [' {{raw}}', false],
    ['{{raw}} ', false],
    ['v{{raw}}', false],
    ['{{raw.x}}', false],
    ['{{version}}', false],
    ['{{"raw"}}', false],
    ['', false],
    ['{{raw', false],
  ])('%j → %s', (pattern, expected) => {
    expect(isRawStatement(pattern)).toBe(expected);
  });
});

describe('templateNames', () => {
  it.each([
    ['{{major}}.{{minor}}', ['major', 'minor']],
    ["v{{date 'YYYY' tz='UTC'}}-{{sha}}-{{date 'MM'}}", ['date', 'sha']],
    ['{{commit_date YYYY-MM-DD}}', ['commit_date']],
    ['no expressions', []],
    ['{{this.a.b}}', ['a']],
  ])('%s', (template, names) => {
    expect(templateNames(template)).toEqual(names);
  });

  it('parseTemplate keeps text, comments and mustaches apart', () => {
    expect(parseTemplate('a{{! c}}{{b}}').map((n) => n.kind)).toEqual(['text', 'comment', 'mustache']);
  });
});
