import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The account an API key belongs to; it owns projects.' })
export class Account {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  isAdmin!: boolean;
}
