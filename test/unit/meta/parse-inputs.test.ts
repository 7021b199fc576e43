import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '../../../src/meta/csv.js';
import { InputListError, parseInputList } from '../../../src/meta/parse-inputs.js';

describe('parseInputList (the action context.test getInputs table)', () => {
  it.each([
    ['moby/buildkit\nghcr.io/moby/mbuildkit', ['moby/buildkit', 'ghcr.io/moby/mbuildkit']],
    ['moby/buildkit', ['moby/buildkit']],
    ['moby/buildkit\n#comment\nghcr.io/moby/mbuildkit', ['moby/buildkit', 'ghcr.io/moby/mbuildkit']],
    ['mylabel=foo#bar\n#comment\nanother=bar', ['mylabel=foo#bar', 'another=bar']],
    [
      'org.opencontainers.image.url=https://example.com/path#readme\n#comment\norg.opencontainers.image.source=https://github.com/docker/metadata-action',
      [
        'org.opencontainers.image.url=https://example.com/path#readme',
        'org.opencontainers.image.source=https://github.com/docker/metadata-action',
      ],
    ],
    ['type=raw,value=foo#bar\n#comment', ['type=raw,value=foo#bar']],
    ['prefix=v#1\n#comment', ['prefix=v#1']],
    ['', []],
    ['\n\n', []],
    ['  a  \n\n   \n b', ['a', 'b']],
    ['a\r\nb\rc', ['a', 'b', 'c']],
    ['  # indented comment\nx', ['x']],
    ['name/app,ghcr.io/o/app', ['name/app,ghcr.io/o/app']],
    ['"foo=a,b"', ['foo=a,b']],
    ['"multi\nline"', ['multi\nline']],
    ['desc=say "hi", ok', ['desc=say "hi", ok']],
    [
      'org.opencontainers.image.description=this is a "good" example',
      ['org.opencontainers.image.description=this is a "good" example'],
    ],
    ['foo=x,"y,z"', ['foo=x,y,z']],
  ])('%j', (input, expected) => {
    expect(parseInputList(input)).toEqual(expected);
  });

  it.each([
    ['type=match,"pattern=^release\\d{1,2}"', ['type=match,"pattern=^release\\d{1,2}"']],
    ['type=match,"pattern=\\d.\\d.\\d"', ['type=match,pattern=\\d.\\d.\\d']],
    ['"type=raw,value=x"', ['type=raw,value=x']],
    ['type=raw,"value=say ""a,b"""', ['type=raw,"value=say ""a,b"""']],
  ])('keepQuotes: %j', (input, expected) => {
    expect(parseInputList(input, 'tags', { keepQuotes: true })).toEqual(expected);
  });

  it('an unclosed quote names the input and the line', () => {
    expect(() => parseInputList('a\n"b', 'tags')).toThrow(InputListError);
    expect(() => parseInputList('a\n"b', 'tags')).toThrow(
      /tags input, line 2: a quoted field is never closed/,
    );
  });
});

describe('parseCsv', () => {
  it.each([
    ['a,b,c', [['a', 'b', 'c']]],
    ['a,,c', [['a', '', 'c']]],
    ['a,', [['a', '']]],
    ['"a,b",c', [['a,b', 'c']]],
    ['"a""b"', [['a"b']]],
    ['""', [['']]],
    ['a\n\nb', [['a'], ['b']]],
    ['a\r\nb', [['a'], ['b']]],
    [' a , b ', [[' a ', ' b ']]],
  ])('strict %j', (input, expected) => {
    expect(parseCsv(input)).toEqual(expected);
  });

  it.each([
    ['a"b', [['a"b']]],
    ['"ab"cd', [['"abcd']]],
    ['#x\na', [['a']]],
    ['a#b', [['a']]],
  ])('relaxed with infix comments %j', (input, expected) => {
    expect(parseCsv(input, { relaxQuotes: true, comment: '#' })).toEqual(expected);
  });

  it.each([
    ['a"b', /quote inside a field/],
    ['"ab"cd', /closing quote is followed by "c"/],
    ['"abc', /never closed/],
  ])('strict refuses %j', (input, message) => {
    expect(() => parseCsv(input)).toThrow(CsvError);
    expect(() => parseCsv(input)).toThrow(message);
  });
});
