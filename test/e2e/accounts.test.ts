import { waitFor } from '@storegraph/common/testing';
import {
  AddAddressDocument,
  ChangePasswordDocument,
  LoginDocument,
  LogoutEverywhereDocument,
  MyAddressesDocument,
  RefreshTokenDocument,
  RemoveAddressDocument,
  UpdateAddressDocument,
  UpdateProfileDocument,
  type AddressInput,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, failure, logIn, meStatus, signUp, type Session, type StoregraphClient } from './support/client';
import { follow, openSocket, type LiveSocket } from './support/live';

const PASSWORD = 'correct-horse-1';
const NEW_PASSWORD = 'a-new-passphrase-2';
const HOME: AddressInput = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', region: 'VA', postalCode: '22201', country: 'US' };

/**
 * A shopper's account through the gateway, as an app sees it with the SDK: profile,
 * password change and logout everywhere (other logins end at once: refresh refused,
 * access tokens 401, open sockets closed), and the address book.
 */
describe('accounts through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({ env: { REVOCATION_CHECK_MS: '200' } }));
  });
  afterAll(() => stack?.stop());

  const me = (token: string) => meStatus(stack.url, token);

  /** An open subscription socket of `session`'s login, on a CONFIRMED order (which stays open). */
  async function liveSocket(session: Session, orderId: string): Promise<LiveSocket> {
    const socket = openSocket(stack.url, session.accessToken);
    const live = follow(socket, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }', { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });
    return socket;
  }

  async function orderOf(session: Session): Promise<string> {
    const product = await createProduct(admin, { price: '3.00', stock: 5 });
    await addToCart(session.client, product.id, 1);
    return checkout(session.client);
  }

  const refreshCodes = async (refreshToken: string) =>
    (await failure(api.request(RefreshTokenDocument, { refreshToken }))).codes;

  it('changePassword: the other login is refused and its socket closed; old password out, new one in', async () => {
    const here = await signUp(api, 'Changer');
    const elsewhere = await logIn(api, here.email, PASSWORD);
    const socket = await liveSocket(elsewhere, await orderOf(here));

    const { changePassword } = await here.client.request(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });

    expect((await socket.closed).code).toBe(4403);
    expect(await me(elsewhere.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(await refreshCodes(elsewhere.refreshToken)).toEqual(['UNAUTHENTICATED']);
    // the calling login ended too (a new one replaces it), so a copy of its tokens is worthless
    expect(await me(here.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(await refreshCodes(here.refreshToken)).toEqual(['UNAUTHENTICATED']);
    expect(await me(changePassword.accessToken)).toEqual({ status: 200, codes: [] });
    expect((await api.request(RefreshTokenDocument, { refreshToken: changePassword.refreshToken })).refreshToken.user.id).toBe(here.userId);

    expect((await failure(api.request(LoginDocument, { email: here.email, password: PASSWORD }))).codes).toEqual(['UNAUTHENTICATED']);
    expect((await api.request(LoginDocument, { email: here.email, password: NEW_PASSWORD })).login.user.id).toBe(here.userId);
  });

  it('changePassword with a wrong current password: UNAUTHENTICATED, and every login carries on', async () => {
    const here = await signUp(api, 'Wrong');
    const elsewhere = await logIn(api, here.email, PASSWORD);
    const refused = await failure(here.client.request(ChangePasswordDocument, { currentPassword: 'not-it-at-all', newPassword: NEW_PASSWORD }));
    expect(refused.codes).toEqual(['UNAUTHENTICATED']);
    expect(await me(here.accessToken)).toEqual({ status: 200, codes: [] });
    expect(await me(elsewhere.accessToken)).toEqual({ status: 200, codes: [] });
    expect((await failure(here.client.request(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'short' }))).codes).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect((await failure(api.request(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }))).codes).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('logoutEverywhere: every login ends, the calling one included, sockets closed; signing in again works', async () => {
    const here = await signUp(api, 'Everywhere');
    const elsewhere = await logIn(api, here.email, PASSWORD);
    const orderId = await orderOf(here);
    const [mine, theirs] = [await liveSocket(here, orderId), await liveSocket(elsewhere, orderId)];

    expect(await here.client.request(LogoutEverywhereDocument, {})).toEqual({ logoutEverywhere: true });

    expect([(await mine.closed).code, (await theirs.closed).code]).toEqual([4403, 4403]);
    for (const session of [here, elsewhere]) {
      expect(await me(session.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
      expect(await refreshCodes(session.refreshToken)).toEqual(['UNAUTHENTICATED']);
    }
    const again = await logIn(api, here.email, PASSWORD);
    expect(await me(again.accessToken)).toEqual({ status: 200, codes: [] });
    expect((await failure(api.request(LogoutEverywhereDocument, {}))).codes).toEqual(['UNAUTHENTICATED']);
  });

  it('updateProfile renames the signed-in user; a blank name is BAD_USER_INPUT', async () => {
    const session = await signUp(api, 'Before');
    const { updateProfile } = await session.client.request(UpdateProfileDocument, { input: { name: '  After  ' } });
    expect(updateProfile).toMatchObject({ id: session.userId, name: 'After' });
    const blank = await failure(session.client.request(UpdateProfileDocument, { input: { name: ' ' } }));
    expect(blank.codes).toEqual(['BAD_USER_INPUT']);
    expect((await failure(api.request(UpdateProfileDocument, { input: { name: 'Anon' } }))).codes).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps an address book: default first, one default, owner only', async () => {
    const owner = await signUp(api, 'Addresses');
    const stranger = await signUp(api, 'Stranger');
    const { addAddress: home } = await owner.client.request(AddAddressDocument, { input: HOME });
    const { addAddress: work } = await owner.client.request(AddAddressDocument, { input: { ...HOME, line1: '2 Office Park', isDefault: true } });
    expect(home).toEqual({ id: expect.any(String), ...HOME, line2: null, phone: null, isDefault: true });
    expect(work.isDefault).toBe(true);

    const { me: mine } = await owner.client.request(MyAddressesDocument, {});
    expect(mine).toEqual({ id: owner.userId, addresses: [work, { ...home, isDefault: false }] });

    const bad = await failure(owner.client.request(AddAddressDocument, { input: { ...HOME, country: 'UK' } }));
    expect(bad.codes).toEqual(['BAD_USER_INPUT']);
    expect(bad.message).toMatch(/country/);
    expect((await failure(stranger.client.request(UpdateAddressDocument, { id: home.id, input: HOME }))).codes).toEqual(['NOT_FOUND']);
    expect((await failure(stranger.client.request(RemoveAddressDocument, { id: home.id }))).codes).toEqual(['NOT_FOUND']);
    expect((await stranger.client.request(MyAddressesDocument, {})).me?.addresses).toEqual([]);

    expect(await owner.client.request(RemoveAddressDocument, { id: work.id })).toEqual({ removeAddress: true });
    expect((await owner.client.request(MyAddressesDocument, {})).me?.addresses).toEqual([{ ...home, isDefault: true }]);
  });
});
