import { Field, InputType } from 'type-graphql';

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true })
  name?: string | null;
}
