import { Category } from './category.entity';
import { Product, type ProductImageData } from './product.entity';

export { Category, Product, type ProductImageData };

/** Passed to openDatabase as classes: no folder discovery, same code compiled and under jest. */
export const entities = [Category, Product];
