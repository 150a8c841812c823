-- Registered model bundles (generators, scorers, classifiers), each owned by an account and
-- checked by loading it and running a test batch before it is stored; and, on each run, the
-- models it uses, the execution provider they really ran on and where its time went.

CREATE TYPE "model_kind" AS ENUM ('GENERATOR', 'SCORER', 'CLASSIFIER');

CREATE TABLE "model" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "model_kind" NOT NULL,
    "path" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "model_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "model_account_id_name_key" ON "model"("account_id", "name");
CREATE INDEX "model_account_id_created_at_idx" ON "model"("account_id", "created_at");

ALTER TABLE "run" ADD COLUMN "generator_id" UUID;
ALTER TABLE "run" ADD COLUMN "scorer_id" UUID;
ALTER TABLE "run" ADD COLUMN "execution_provider" TEXT;
ALTER TABLE "run" ADD COLUMN "device_note" TEXT;
ALTER TABLE "run" ADD COLUMN "time_share" JSONB;
CREATE INDEX "run_generator_id_idx" ON "run"("generator_id");
CREATE INDEX "run_scorer_id_idx" ON "run"("scorer_id");

ALTER TABLE "model" ADD CONSTRAINT "model_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_generator_id_fkey" FOREIGN KEY ("generator_id") REFERENCES "model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_scorer_id_fkey" FOREIGN KEY ("scorer_id") REFERENCES "model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
