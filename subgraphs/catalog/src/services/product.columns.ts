/** The mapped columns of `products`, for hand-written SQL (never `*`: `search` is not mapped). */
export const PRODUCT_COLUMNS = 'id, sku, name, description, price_minor, category_id, on_hand, reserved, created_at';
