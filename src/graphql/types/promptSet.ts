import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A diversity axis: m(x) = L(x, lowPrompt) - L(x, highPrompt), split into `resolution` cells over [low, high].' })
export class Measure {
  @Field()
  name!: string;

  @Field({ description: 'Samples that look like this prompt get measure values near `low`.' })
  lowPrompt!: string;

  @Field({ description: 'Samples that look like this prompt get measure values near `high`.' })
  highPrompt!: string;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;

  @Field(() => Int)
  resolution!: number;
}

@ObjectType({ description: 'The language prompts that define quality (objective) and diversity (measures).' })
export class PromptSet {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => [String], { description: 'Prompts the samples should match; a prompt may hold several phrases separated by "|".' })
  objectivePositive!: string[];

  @Field(() => [String], { description: 'Prompts the samples should not match.' })
  objectiveNegative!: string[];

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  projectId!: string;
}

@InputType()
export class MeasureInput {
  @Field()
  name!: string;

  @Field()
  lowPrompt!: string;

  @Field()
  highPrompt!: string;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;

  @Field(() => Int, { description: 'Archive cells along this axis, 1 to 1000.' })
  resolution!: number;
}

@InputType()
export class CreatePromptSetInput {
  @Field(() => ID)
  projectId!: string;

  @Field()
  name!: string;

  @Field(() => [String])
  objectivePositive!: string[];

  @Field(() => [String], { nullable: true })
  objectiveNegative?: string[] | null;

  @Field(() => [MeasureInput])
  measures!: MeasureInput[];
}
