import { unique } from '@storegraph/common/testing';
import { CREATE_CATEGORY, codes, createCategory, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const slugCount = async (slug: string) => (await h.sql('select 1 from categories where slug = ?', [slug])).length;

describe('createCategory', () => {
  it('creates a category an admin names', async () => {
    const slug = unique('shoes');
    const res = await h.call(CREATE_CATEGORY, { input: { name: '  Shoes ', slug } }, h.as('ADMIN'));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ createCategory: { id: expect.any(String), name: 'Shoes', slug } });
  });

  it('refuses anonymous callers and customers, creating nothing', async () => {
    const slug = unique('nope');
    expect(codes(await h.call(CREATE_CATEGORY, { input: { name: 'X', slug } }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(CREATE_CATEGORY, { input: { name: 'X', slug } }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect(await slugCount(slug)).toBe(0);
  });

  it('refuses a bad slug or a blank name', async () => {
    for (const input of [
      { name: 'Bad', slug: 'Not A Slug' },
      { name: 'Bad', slug: `${unique('x')}-` },
      { name: '  ', slug: unique('blank') },
    ]) {
      expect(codes(await h.call(CREATE_CATEGORY, { input }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('answers CONFLICT for a slug already taken, keeping the first', async () => {
    const slug = unique('dup');
    await createCategory(h, slug, 'First');
    const res = await h.call(CREATE_CATEGORY, { input: { name: 'Second', slug } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(await h.sql('select name from categories where slug = ?', [slug])).toEqual([{ name: 'First' }]);
  });
});

describe('categories', () => {
  it('is public and ordered by name', async () => {
    const tag = unique('order');
    const ids = {
      b: await createCategory(h, `${tag}-b`, `${tag} Bravo`),
      a: await createCategory(h, `${tag}-a`, `${tag} Alpha`),
      c: await createCategory(h, `${tag}-c`, `${tag} Charlie`),
    };
    const res = await h.call<{ categories: Array<{ id: string; name: string }> }>('{ categories { id name slug } }');
    expect(res.errors).toBeUndefined();
    const mine = res.data!.categories.filter((c) => c.name.startsWith(tag)).map((c) => c.id);
    expect(mine).toEqual([ids.a, ids.b, ids.c]);
  });
});
