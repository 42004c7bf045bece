import { ArgsType, Field } from 'type-graphql';

// An ArgsType keeps the contract's argument order (email, password) in the printed SDL.
@ArgsType()
export class LoginArgs {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}
