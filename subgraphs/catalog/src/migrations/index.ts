import type { MigrationObject } from '@mikro-orm/core';
import { CreateCatalog0001 } from './0001-create-catalog';
import { CreateReservations0002 } from './0002-create-reservations';
import { ProductSortsAndImages0003 } from './0003-product-sorts-and-images';
import { ReviewsAndWishlists0004 } from './0004-reviews-and-wishlists';
import { ArchiveAndStockMovements0005 } from './0005-archive-and-stock-movements';
import { ReadPath0008 } from './0008-read-path';
import { StockInChangeEvents0009 } from './0009-stock-in-change-events';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: MigrationObject[] = [
  { name: '0001-create-catalog', class: CreateCatalog0001 },
  { name: '0002-create-reservations', class: CreateReservations0002 },
  { name: '0003-product-sorts-and-images', class: ProductSortsAndImages0003 },
  { name: '0004-reviews-and-wishlists', class: ReviewsAndWishlists0004 },
  { name: '0005-archive-and-stock-movements', class: ArchiveAndStockMovements0005 },
  { name: '0008-read-path', class: ReadPath0008 },
  { name: '0009-stock-in-change-events', class: StockInChangeEvents0009 },
];
