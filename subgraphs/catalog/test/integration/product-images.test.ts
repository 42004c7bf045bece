import { unique } from '@storegraph/common/testing';
import { codes, createCategory, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  // Small limits, so the bounds are cheap to reach.
  h = await startCatalog({ config: { images: { maxImages: 3, maxUrlLength: 64, maxAltLength: 20 } } });
});
afterAll(async () => {
  await h?.stop();
});

const FIELDS = 'id images { url alt } rating { average count }';
const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${FIELDS} } }`;
const PRODUCT = `query ($id: ID!) { product(id: $id) { ${FIELDS} } }`;

interface View {
  id: string;
  images: Array<{ url: string; alt: string }>;
  rating: { average: number | null; count: number };
}

async function create(images?: unknown, categoryId?: string): Promise<View> {
  const input = { sku: unique('IMG'), name: 'Lamp', price: '5.00', stock: 1, categoryId, images };
  const res = await h.call<{ createProduct: View }>(CREATE, { input }, h.as('ADMIN'));
  if (!res.data?.createProduct) throw new Error(`createProduct failed: ${JSON.stringify(res.errors)}`);
  return res.data.createProduct;
}

async function read(id: string): Promise<View> {
  return (await h.call<{ product: View }>(PRODUCT, { id })).data!.product;
}

const storedImages = async (id: string) => (await h.sql<{ images: unknown }>('select images from products where id = ?', [id]))[0].images;

describe('Product.images', () => {
  it('round-trips in the order given, alt defaulting to ""', async () => {
    const images = [
      { url: 'https://cdn.example.com/lamp-front.jpg', alt: 'Front' },
      { url: 'http://cdn.example.com/lamp-side.png' },
      { url: 'https://cdn.example.com/a.webp?w=800#x', alt: null },
    ];
    const created = await create(images);
    const expected = [
      { url: 'https://cdn.example.com/lamp-front.jpg', alt: 'Front' },
      { url: 'http://cdn.example.com/lamp-side.png', alt: '' },
      { url: 'https://cdn.example.com/a.webp?w=800#x', alt: '' },
    ];
    expect(created.images).toEqual(expected);
    expect(await read(created.id)).toEqual({ id: created.id, images: expected, rating: { average: null, count: 0 } });
  });

  it('is empty when none are given', async () => {
    expect((await create()).images).toEqual([]);
    expect((await create([])).images).toEqual([]);
  });

  it('updateProduct replaces the whole list when given one, and keeps it when not', async () => {
    const created = await create([{ url: 'https://cdn.example.com/1.jpg', alt: 'one' }, { url: 'https://cdn.example.com/2.jpg' }]);
    const renamed = await h.call<{ updateProduct: View }>(UPDATE, { id: created.id, input: { name: 'Desk lamp' } }, h.as('ADMIN'));
    expect(renamed.data!.updateProduct.images).toEqual(created.images);

    const replaced = await h.call<{ updateProduct: View }>(
      UPDATE,
      { id: created.id, input: { images: [{ url: 'https://cdn.example.com/3.jpg', alt: 'three' }] } },
      h.as('ADMIN'),
    );
    expect(replaced.data!.updateProduct.images).toEqual([{ url: 'https://cdn.example.com/3.jpg', alt: 'three' }]);
    expect((await read(created.id)).images).toEqual([{ url: 'https://cdn.example.com/3.jpg', alt: 'three' }]);

    const cleared = await h.call<{ updateProduct: View }>(UPDATE, { id: created.id, input: { images: [] } }, h.as('ADMIN'));
    expect(cleared.data!.updateProduct.images).toEqual([]);
    expect(await storedImages(created.id)).toEqual([]);
  });

  const bad: Array<[string, unknown[], string]> = [
    ['a javascript: URL', [{ url: 'javascript:alert(1)' }], 'images[0].url'],
    ['a data: URL', [{ url: 'data:image/png;base64,AAAA' }], 'images[0].url'],
    ['an ftp URL', [{ url: 'https://ok.example.com/a.jpg' }, { url: 'ftp://example.com/a.jpg' }], 'images[1].url'],
    ['a relative URL', [{ url: '/img/a.jpg' }], 'images[0].url'],
    ['a URL with a space', [{ url: 'https://example.com/a b.jpg' }], 'images[0].url'],
    ['an empty URL', [{ url: '' }], 'images[0].url'],
    ['a URL over the length limit', [{ url: `https://example.com/${'a'.repeat(60)}.jpg` }], 'images[0].url'],
    ['an alt over the length limit', [{ url: 'https://example.com/a.jpg', alt: 'x'.repeat(21) }], 'images[0].alt'],
    ['more images than allowed', [1, 2, 3, 4].map((i) => ({ url: `https://example.com/${i}.jpg` })), 'images'],
  ];

  it.each(bad)('createProduct refuses %s with BAD_USER_INPUT, creating nothing', async (_what, images, field) => {
    const sku = unique('BADIMG');
    const res = await h.call(CREATE, { input: { sku, name: 'X', price: '1.00', stock: 0, images } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await h.sql('select 1 from products where sku = ?', [sku])).toEqual([]);
  });

  it.each(bad)('updateProduct refuses %s with BAD_USER_INPUT, changing nothing', async (_what, images, field) => {
    const created = await create([{ url: 'https://cdn.example.com/keep.jpg', alt: 'keep' }]);
    const res = await h.call(UPDATE, { id: created.id, input: { name: 'Renamed', images } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await storedImages(created.id)).toEqual([{ url: 'https://cdn.example.com/keep.jpg', alt: 'keep' }]);
    expect(await h.sql('select name from products where id = ?', [created.id])).toEqual([{ name: 'Lamp' }]);
  });
});

describe('a page of products with images, ratings and categories', () => {
  it('costs as many statements for 50 products as for 5', async () => {
    const categoryIds = [await createCategory(h, unique('n1a')), await createCategory(h, unique('n1b'))];
    const word = `nplus${unique('w').replace(/[^a-z0-9]/g, '')}`;
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const input = {
        sku: unique(`NP${i}`),
        name: `Lamp ${word}`,
        price: `${i}.00`,
        stock: 1,
        categoryId: categoryIds[i % 2],
        images: [{ url: `https://cdn.example.com/${i}-a.jpg`, alt: `${i}` }, { url: `https://cdn.example.com/${i}-b.jpg` }],
      };
      const res = await h.call<{ createProduct: { id: string } }>(CREATE, { input }, h.as('ADMIN'));
      ids.push(res.data!.createProduct.id);
    }
    await h.sql('update products set rating_sum = 4, rating_count = 1 where id = any(?::uuid[])', [`{${ids.join(',')}}`]);

    const query = `query ($first: Int, $filter: ProductFilter, $sort: ProductSort) {
      products(first: $first, filter: $filter, sort: $sort) {
        edges { node { id images { url alt } rating { average count } category { id } } }
        totalCount
      }
    }`;
    const measure = async (first: number, sort: string) => {
      const before = h.app.database.queryCount();
      const res = await h.call<{ products: { edges: Array<{ node: View & { category: { id: string } } }> } }>(query, {
        first,
        sort,
        filter: { search: word },
      });
      const statements = h.app.database.queryCount() - before;
      const nodes = res.data!.products.edges.map((e) => e.node);
      expect(nodes).toHaveLength(first);
      expect(nodes.every((n) => n.images.length === 2 && n.rating.count === 1 && n.category !== null)).toBe(true);
      return statements;
    };
    for (const sort of ['PRICE_ASC', 'RELEVANCE', 'RATING']) {
      const few = await measure(5, sort);
      const many = await measure(50, sort);
      expect(many).toBe(few);
      // the page with its count + one category batch: images and ratings are columns of the page's rows
      expect(many).toBe(2);
    }
  });
});
