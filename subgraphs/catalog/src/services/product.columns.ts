/**
 * The mapped columns of `products`, for hand-written SQL (never `*`: the generated `search`
 * and `rating_average` are not mapped).
 */
export const PRODUCT_COLUMNS =
  'id, sku, name, description, price_minor, category_id, on_hand, reserved, images, rating_sum, rating_count, archived, created_at';
