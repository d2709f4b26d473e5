import { splitStatements } from './migrations';

describe('splitStatements (no-transaction migrations)', () => {
  it('splits at a semicolon ending a line, keeps multi-line statements, drops comment lines', () => {
    const sql = [
      '-- moocflix:no-transaction',
      '-- why this index',
      '',
      'DROP INDEX CONCURRENTLY IF EXISTS a;',
      'CREATE INDEX CONCURRENTLY a',
      '  ON t (x);',
      '',
      'ANALYZE t',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS a;',
      'CREATE INDEX CONCURRENTLY a\n  ON t (x);',
      'ANALYZE t',
    ]);
  });

  it('has nothing to run in a file of comments', () => {
    expect(splitStatements('-- moocflix:no-transaction\n-- nothing yet\n')).toEqual([]);
  });
});
