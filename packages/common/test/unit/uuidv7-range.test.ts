import { uuidv7, uuidv7Range } from '@storegraph/common';

describe('uuidv7Range', () => {
  it('holds every UUIDv7 of its millisecond and none of the next or previous one', () => {
    const ms = Date.parse('2031-05-06T07:08:09.123Z');
    const { lowest, highest } = uuidv7Range(ms);
    for (let i = 0; i < 200; i += 1) {
      const id = uuidv7(ms);
      expect(lowest <= id && id <= highest).toBe(true);
      expect(uuidv7(ms + 1) > highest).toBe(true);
      expect(uuidv7(ms - 1) < lowest).toBe(true);
    }
  });

  it('clamps times the 48-bit field cannot hold', () => {
    expect(uuidv7Range(-5).lowest).toBe('00000000-0000-0000-0000-000000000000');
    expect(uuidv7Range(8.64e15).highest).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
  });
});
