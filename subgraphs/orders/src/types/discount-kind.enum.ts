import { registerEnumType } from 'type-graphql';

export enum DiscountKind {
  PERCENT = 'PERCENT',
  FIXED = 'FIXED',
}

registerEnumType(DiscountKind, {
  name: 'DiscountKind',
  valuesConfig: {
    PERCENT: { description: 'value is a percentage, "1".."100"' },
    FIXED: { description: 'value is an amount in the store currency, e.g. "5.00"' },
  },
});
