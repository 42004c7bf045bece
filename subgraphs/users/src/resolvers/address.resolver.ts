import { AddressInput, forbidden, isOwnerOrAdmin, requireCaller } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { UsersContext } from '../context';
import { Address, User } from '../entities';

/** Addresses: `User.addresses` (owner or ADMIN) and the caller's own address book. */
@Resolver(() => User)
export class AddressResolver {
  @FieldResolver(() => [Address], { description: 'Owner or ADMIN. Default address first.' })
  addresses(@Root() user: User, @Ctx() ctx: UsersContext): Promise<Address[]> {
    if (!isOwnerOrAdmin(ctx, user.id)) throw forbidden('Only the owner or an ADMIN sees addresses');
    return ctx.loaders.addresses.load(user.id);
  }

  @Mutation(() => Address, { description: 'Signed in.' })
  addAddress(@Arg('input', () => AddressInput) input: AddressInput, @Ctx() ctx: UsersContext): Promise<Address> {
    return ctx.services.addresses.add(ctx.em, requireCaller(ctx).userId, input);
  }

  @Mutation(() => Address, { description: 'Signed in, own address.' })
  updateAddress(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AddressInput) input: AddressInput,
    @Ctx() ctx: UsersContext,
  ): Promise<Address> {
    return ctx.services.addresses.update(ctx.em, requireCaller(ctx).userId, id, input);
  }

  @Mutation(() => Boolean, { description: 'Signed in, own address. Past orders keep their copy.' })
  async removeAddress(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    await ctx.services.addresses.remove(ctx.em, requireCaller(ctx).userId, id);
    return true;
  }
}
