import { bandsToPause } from './priority-gate';

describe('bandsToPause', () => {
  it.each([
    [[0, 0, 0], []],
    [[5, 0, 0], [1, 2]],
    [[5, 9, 100], [1, 2]],
    [[0, 3, 100], [2]],
    [[0, 0, 100], []],
  ])('backlog %j pauses bands %j', (backlog, expected) => {
    expect([...bandsToPause(backlog)].sort()).toEqual(expected);
  });
});
