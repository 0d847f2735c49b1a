import { fixedRateSchedule, parseTraceTimestamp, scheduleRate, traceSchedule } from './schedule';

describe('fixedRateSchedule', () => {
  it('spaces rate x duration arrivals evenly from zero', () => {
    const s = fixedRateSchedule(4, 2);
    expect(s).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('is empty for a zero rate or duration', () => {
    expect(fixedRateSchedule(0, 5)).toEqual([]);
    expect(fixedRateSchedule(100, 0)).toEqual([]);
  });

  it('does not depend on how fast anything answers (open loop): offsets are fixed in advance', () => {
    expect(fixedRateSchedule(1600, 5)).toHaveLength(8000);
    expect(fixedRateSchedule(1600, 5).at(-1)).toBeCloseTo(4999.375);
  });
});

describe('traceSchedule', () => {
  const csv = ['TIMESTAMP,ContextTokens,GeneratedTokens', '2023-11-16 18:15:46.6805900,374,44', '2023-11-16 18:15:47.6805900,396,109', '2023-11-16 18:15:56.6805900,1,1', ''].join(
    '\n',
  );

  it('turns arrival timestamps into offsets from the first row, sped up', () => {
    expect(traceSchedule(csv, 10, 60)).toEqual([0, 100, 1000]);
  });

  it('cuts at the duration of the sped-up schedule', () => {
    expect(traceSchedule(csv, 1, 5)).toEqual([0, 1000]);
  });

  it('keeps sub-millisecond digits of the 7-digit fractions', () => {
    expect(parseTraceTimestamp('2023-11-16 18:15:46.6805900') - parseTraceTimestamp('2023-11-16 18:15:46.0000000')).toBeCloseTo(680.59);
  });

  it('refuses a line that is not a trace timestamp', () => {
    expect(() => parseTraceTimestamp('yesterday')).toThrow('not a trace timestamp');
  });

  it('labels a schedule with its mean rate', () => {
    expect(scheduleRate([0, 1, 2, 3], 2)).toBe(2);
  });
});
