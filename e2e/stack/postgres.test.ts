import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertEnterableByOthers } from './postgres';

describe('assertEnterableByOthers', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'enterable-'));
    chmodSync(root, 0o755);
  });
  afterEach(() => {
    chmodSync(root, 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  it('passes when every folder up to / can be entered by others', () => {
    const bin = path.join(root, 'node_modules', 'bin');
    mkdirSync(bin, { recursive: true, mode: 0o755 });
    expect(() => assertEnterableByOthers(bin)).not.toThrow();
  });

  it('names the folder the postgres user cannot enter, and what to do', () => {
    const closed = path.join(root, 'clone');
    const bin = path.join(closed, 'node_modules', 'bin');
    mkdirSync(bin, { recursive: true, mode: 0o755 });
    chmodSync(closed, 0o700);
    expect(() => assertEnterableByOthers(bin)).toThrow(
      `cannot enter ${closed} (mode 700) to reach ${bin}. Clone the repository into a folder others can enter`,
    );
  });
});
