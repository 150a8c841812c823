import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A workspace that groups prompt sets and runs.' })
export class Project {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@InputType()
export class CreateProjectInput {
  @Field({ description: 'Unique among the account\'s projects; at most 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}
