import { decodeCursor, decodeKeysetCursor, encodeCursor, encodeKeysetCursor, hasCode, toPage, uuidv7 } from '@storegraph/common';

function badInputFrom(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return hasCode(err, 'BAD_USER_INPUT');
  }
}

describe('keyset cursors', () => {
  const id = uuidv7();

  it('carry the order, the key (any text, colons and quotes too) and the id', () => {
    for (const key of ['1999', 'apple: "red" [x]', '', '4.3333333333333333']) {
      expect(decodeKeysetCursor(encodeKeysetCursor('NAME_ASC', key, id), 'NAME_ASC')).toEqual({ key, id });
    }
  });

  it('are refused by another order, and by the id-only decoder', () => {
    const cursor = encodeKeysetCursor('PRICE_ASC', '100', id);
    expect(badInputFrom(() => decodeKeysetCursor(cursor, 'PRICE_DESC'))).toBe(true);
    expect(badInputFrom(() => decodeCursor(cursor))).toBe(true);
    expect(badInputFrom(() => decodeKeysetCursor(encodeCursor(id), 'PRICE_ASC'))).toBe(true);
  });

  it.each(['', 'garbage', Buffer.from('v2:not json').toString('base64url'), Buffer.from('v2:["A","k"]').toString('base64url'),
    Buffer.from('v2:["A","k","not-a-uuid"]').toString('base64url'), Buffer.from('v2:["A",1,"x"]').toString('base64url')])(
    'refuses %j with BAD_USER_INPUT',
    (cursor) => {
      expect(badInputFrom(() => decodeKeysetCursor(cursor, 'A'))).toBe(true);
    },
  );

  it('name each edge of a page through cursorOf', () => {
    const rows = [{ id: uuidv7() }, { id: uuidv7() }, { id: uuidv7() }];
    const page = toPage(rows, 2, 3, (row) => encodeKeysetCursor('X', 'k', row.id));
    expect(page.edges.map((e) => decodeKeysetCursor(e.cursor, 'X').id)).toEqual([rows[0].id, rows[1].id]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1].cursor });
  });
});
