import { textSearchQuery } from './text-search-query';

describe('textSearchQuery', () => {
  it('requires every word, each as a prefix, lower-cased and de-duplicated', () => {
    expect(textSearchQuery('Intro  PYTH intro')).toBe('intro:* & pyth:*');
  });

  it('keeps letters and digits of any script and drops tsquery syntax', () => {
    expect(textSearchQuery("C++ & (rust | !go):* 'x'")).toBe('c:* & rust:* & go:* & x:*');
    expect(textSearchQuery('Café 101 日本語')).toBe('café:* & 101:* & 日本語:*');
  });

  it('is null when nothing searchable is left', () => {
    expect(textSearchQuery('&|!():*')).toBeNull();
  });

  it('caps the number of terms', () => {
    expect(textSearchQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))!.split(' & ')).toHaveLength(10);
  });
});
