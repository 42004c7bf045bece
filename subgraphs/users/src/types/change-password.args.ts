import { ArgsType, Field } from 'type-graphql';

// An ArgsType keeps the contract's argument order (currentPassword, newPassword) in the SDL.
@ArgsType()
export class ChangePasswordArgs {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;
}
