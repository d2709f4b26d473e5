import { insertPosition, movePosition, shiftForMove } from './module-positions';

describe('module positions', () => {
  it('appends by default and clamps a new module’s position to 1..count+1', () => {
    expect(insertPosition(undefined, 0)).toBe(1);
    expect(insertPosition(undefined, 4)).toBe(5);
    expect(insertPosition(2, 4)).toBe(2);
    expect(insertPosition(99, 4)).toBe(5);
  });

  it('clamps a move to 1..count', () => {
    expect(movePosition(1, 4)).toBe(1);
    expect(movePosition(99, 4)).toBe(4);
  });

  it('shifts the modules in between toward the vacated slot', () => {
    expect(shiftForMove(4, 2)).toEqual({ first: 2, last: 3, by: 1 });
    expect(shiftForMove(2, 4)).toEqual({ first: 3, last: 4, by: -1 });
    expect(shiftForMove(3, 3)).toBeNull();
  });

  it('keeps positions dense and unique through any move', () => {
    for (let count = 1; count <= 5; count++) {
      for (let from = 1; from <= count; from++) {
        for (let requested = 1; requested <= count + 2; requested++) {
          const to = movePosition(requested, count);
          const shift = shiftForMove(from, to);
          const positions = Array.from({ length: count }, (_, i) => i + 1).map((p) => {
            if (p === from) return to;
            return shift && p >= shift.first && p <= shift.last ? p + shift.by : p;
          });
          expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        }
      }
    }
  });
});
