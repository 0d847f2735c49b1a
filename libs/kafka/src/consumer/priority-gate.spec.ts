import { bandsToPause } from './priority-gate';

describe('bandsToPause', () => {
  it.each([
    [[0, 0, 0], []],
    [
      [5, 0, 0],
      [1, 2],
    ],
    [
      [5, 9, 100],
      [1, 2],
    ],
    [[0, 3, 100], [2]],
    [[0, 0, 100], []],
  ])('with every slot taken, backlog %j pauses bands %j', (backlog, expected) => {
    expect([...bandsToPause(backlog, 0)].sort()).toEqual(expected);
  });

  it('never pauses a lower band while slots are idle', () => {
    expect([...bandsToPause([5, 9, 100], 1)]).toEqual([]);
  });
});
