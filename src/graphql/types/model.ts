import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum ModelKind {
  GENERATOR = 'GENERATOR',
  SCORER = 'SCORER',
  CLASSIFIER = 'CLASSIFIER',
}

registerEnumType(ModelKind, {
  name: 'ModelKind',
  description: 'What a model bundle is for.',
  valuesConfig: {
    GENERATOR: { description: 'Maps latent vectors to images (generator.json + model.onnx).' },
    SCORER: { description: 'CLIP-style image and text embeddings (Hugging Face CLIP layout: config.json, onnx/text_model.onnx, onnx/vision_model.onnx, tokenizer files).' },
    CLASSIFIER: { description: 'Per-label probabilities of images, to judge generated datasets (classifier.json + model.onnx).' },
  },
});

@ObjectType({ description: 'A model bundle under the server\'s models root, registered after it loaded and ran a test batch.' })
export class Model {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Unique among the account\'s models.' })
  name!: string;

  @Field(() => ModelKind)
  kind!: ModelKind;

  @Field({ description: 'The bundle directory relative to the models root, with "/" separators.' })
  path!: string;

  @Field({ description: 'Hash of the bundle\'s files at registration (path, NUL, size and bytes of each file in path order; dot-files excluded).' })
  sha256!: string;

  @Field(() => JSONResolver, {
    description:
      'What loading found. GENERATOR: { latentDim, imageSize: [h, w] }; SCORER: { embedDim, imageSize, vocabularySize, unknownTestWords }; ' +
      'CLASSIFIER: { labels, imageSize: [h, w] }; each with provider ("cpu" or "cuda") and, when a GPU request fell back, fallbackReason.',
  })
  details!: unknown;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@InputType()
export class RegisterModelInput {
  @Field({ description: 'Unique among the account\'s models; at most 200 characters.' })
  name!: string;

  @Field(() => ModelKind)
  kind!: ModelKind;

  @Field({ description: 'The bundle directory relative to the server\'s models root (QDGS_MODELS_DIR), e.g. "shapes/generator".' })
  path!: string;
}
