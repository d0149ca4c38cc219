import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_EXAMPLES } from './examples';

describe('docs/examples', () => {
  it.each(Object.keys(EVENT_EXAMPLES))('matches the %s example in code', (type) => {
    const file = join(__dirname, '..', '..', '..', 'docs', 'examples', `${type.replace(/[._]/g, '-')}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(EVENT_EXAMPLES[type as keyof typeof EVENT_EXAMPLES]);
  });
});
