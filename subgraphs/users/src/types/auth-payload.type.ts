import { Field, Int, ObjectType } from 'type-graphql';
import { User } from '../entities/user.entity';

@ObjectType()
export class AuthPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => String)
  refreshToken!: string;

  @Field(() => Int, { description: 'Seconds until accessToken expires.' })
  expiresIn!: number;

  @Field(() => User)
  user!: User;
}
