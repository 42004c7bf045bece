import { sumLines } from '../../src/services/stock.ledger';

describe('sumLines', () => {
  it('adds up the lines of one product, whatever the case of its id', () => {
    const a = '0190a0b0-0000-7000-8000-00000000000a';
    const b = '0190a0b0-0000-7000-8000-00000000000b';
    expect(
      sumLines([
        { productId: a, quantity: 2 },
        { productId: b, quantity: 1 },
        { productId: a.toUpperCase(), quantity: 3 },
      ]),
    ).toEqual([
      { productId: a, quantity: 5 },
      { productId: b, quantity: 1 },
    ]);
  });
});
