import { registerEnumType } from 'type-graphql';

export enum ProductSort {
  NEWEST = 'NEWEST',
  PRICE_ASC = 'PRICE_ASC',
  PRICE_DESC = 'PRICE_DESC',
  NAME_ASC = 'NAME_ASC',
  RATING = 'RATING',
  RELEVANCE = 'RELEVANCE',
}

registerEnumType(ProductSort, {
  name: 'ProductSort',
  valuesConfig: {
    RATING: { description: 'Best average rating first; unrated last.' },
    RELEVANCE: { description: 'Best match for filter.search first (without a search: NEWEST).' },
  },
});
