import { generateKeyPairSync } from 'node:crypto';
import { AccessTokenSigner, AccessTokenVerifier, JWT_CLOCK_TOLERANCE_SECONDS } from '../../src/jwt';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const claims = { sub: '01a1fcf0-b47e-770b-8f87-de201324ae96', role: 'CUSTOMER' as const, fam: 'family-1', jti: 'token-1' };

describe('AccessTokenVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a token it verified before with the same claims', async () => {
    const keys = pair();
    const { token } = await (await AccessTokenSigner.fromPem(keys.privateKeyPem, 60)).sign(claims);
    const verifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
    const first = await verifier.verify(token);
    expect(first).toMatchObject(claims);
    expect(await verifier.verify(token)).toEqual(first);
  });

  it('refuses a remembered token once it has expired', async () => {
    const keys = pair();
    const { token, exp } = await (await AccessTokenSigner.fromPem(keys.privateKeyPem, 1)).sign(claims);
    const verifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
    await verifier.verify(token);
    jest.useFakeTimers({ now: (exp + JWT_CLOCK_TOLERANCE_SECONDS + 1) * 1000, doNotFake: ['nextTick', 'setImmediate'] });
    await expect(verifier.verify(token)).rejects.toThrow();
  });

  it('never remembers a token signed by another key', async () => {
    const { token } = await (await AccessTokenSigner.fromPem(pair().privateKeyPem, 60)).sign(claims);
    const verifier = await AccessTokenVerifier.fromPem(pair().publicKeyPem);
    await expect(verifier.verify(token)).rejects.toThrow();
    await expect(verifier.verify(token)).rejects.toThrow();
  });
});
