import { UsersHarness } from '../support/users-harness';

describe('the users service at its edges', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start();
  });
  afterAll(() => users.stop());

  it('answers /health and /ready (database and Redis reachable)', async () => {
    const base = users.url.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves the federation SDL with User as an entity', async () => {
    const res = await users.callDirect<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(res.data!._service.sdl).toMatch(/type User\s+@key\(fields: "id"\)/);
  });
});
