import { UserStub } from '../types/user.stub';

/** Catalog knows nothing about a user but the id: the stub carries it to User.wishlist. */
export const userReference = {
  __resolveReference: (ref: { id: string }): UserStub => Object.assign(new UserStub(), { id: ref.id }),
};
