import { Category } from './category.entity';
import { Product } from './product.entity';

export { Category, Product };

/** Passed to openDatabase as classes: no folder discovery, same code compiled and under jest. */
export const entities = [Category, Product];
