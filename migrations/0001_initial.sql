-- Initial QDGS data model (prisma/schema.prisma). Constraint and index names follow Prisma's
-- conventions (<table>_pkey, <table>_<columns>_key, <table>_<columns>_idx, <table>_<column>_fkey).

CREATE TYPE "run_status" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "is_admin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_key_key_hash_key" ON "api_key"("key_hash");
CREATE INDEX "api_key_account_id_idx" ON "api_key"("account_id");

CREATE TABLE "project" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "project_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "project_account_id_name_key" ON "project"("account_id", "name");
CREATE INDEX "project_account_id_created_at_idx" ON "project"("account_id", "created_at");

CREATE TABLE "prompt_set" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "objective_positive" TEXT[],
    "objective_negative" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "prompt_set_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "prompt_set_project_id_name_key" ON "prompt_set"("project_id", "name");

CREATE TABLE "measure" (
    "id" UUID NOT NULL,
    "prompt_set_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "low_prompt" TEXT NOT NULL,
    "high_prompt" TEXT NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "resolution" INTEGER NOT NULL,
    CONSTRAINT "measure_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "measure_prompt_set_id_position_key" ON "measure"("prompt_set_id", "position");

CREATE TABLE "run" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "prompt_set_id" UUID,
    "domain" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "seed" INTEGER NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'QUEUED',
    "iteration" INTEGER NOT NULL DEFAULT 0,
    "iterations" INTEGER NOT NULL,
    "evaluations" BIGINT NOT NULL DEFAULT 0,
    "qd_score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "norm_qd_score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "coverage" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "num_elites" INTEGER NOT NULL DEFAULT 0,
    "obj_max" DOUBLE PRECISION,
    "obj_mean" DOUBLE PRECISION,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "worker_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "run_project_id_created_at_idx" ON "run"("project_id", "created_at");
CREATE INDEX "run_prompt_set_id_idx" ON "run"("prompt_set_id");
CREATE INDEX "run_status_idx" ON "run"("status");

CREATE TABLE "run_checkpoint" (
    "run_id" UUID NOT NULL,
    "iteration" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_checkpoint_pkey" PRIMARY KEY ("run_id")
);

CREATE TABLE "run_metric" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "iteration" INTEGER NOT NULL,
    "evaluations" BIGINT NOT NULL,
    "qd_score" DOUBLE PRECISION NOT NULL,
    "norm_qd_score" DOUBLE PRECISION NOT NULL,
    "coverage" DOUBLE PRECISION NOT NULL,
    "num_elites" INTEGER NOT NULL,
    "obj_max" DOUBLE PRECISION,
    "obj_mean" DOUBLE PRECISION,
    "evals_per_second" DOUBLE PRECISION NOT NULL,
    "elapsed_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_metric_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "run_metric_run_id_iteration_key" ON "run_metric"("run_id", "iteration");

CREATE TABLE "sample" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "cell_index" INTEGER,
    "latent" BYTEA NOT NULL,
    "objective" DOUBLE PRECISION NOT NULL,
    "measures" DOUBLE PRECISION[],
    "iteration" INTEGER NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sample_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sample_run_id_cell_index_key" ON "sample"("run_id", "cell_index");
CREATE INDEX "sample_run_id_id_idx" ON "sample"("run_id", "id");

CREATE TABLE "archive_cell" (
    "run_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "coordinates" INTEGER[],
    "objective" DOUBLE PRECISION NOT NULL,
    "measures" DOUBLE PRECISION[],
    "threshold" DOUBLE PRECISION,
    "sample_id" BIGINT NOT NULL,
    "iteration" INTEGER NOT NULL,
    CONSTRAINT "archive_cell_pkey" PRIMARY KEY ("run_id", "index")
);
CREATE UNIQUE INDEX "archive_cell_sample_id_key" ON "archive_cell"("sample_id");
CREATE INDEX "archive_cell_run_id_objective_idx" ON "archive_cell"("run_id", "objective");

ALTER TABLE "api_key" ADD CONSTRAINT "api_key_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project" ADD CONSTRAINT "project_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "prompt_set" ADD CONSTRAINT "prompt_set_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "measure" ADD CONSTRAINT "measure_prompt_set_id_fkey" FOREIGN KEY ("prompt_set_id") REFERENCES "prompt_set"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_prompt_set_id_fkey" FOREIGN KEY ("prompt_set_id") REFERENCES "prompt_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run_checkpoint" ADD CONSTRAINT "run_checkpoint_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "run_metric" ADD CONSTRAINT "run_metric_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sample" ADD CONSTRAINT "sample_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "archive_cell" ADD CONSTRAINT "archive_cell_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "archive_cell" ADD CONSTRAINT "archive_cell_sample_id_fkey" FOREIGN KEY ("sample_id") REFERENCES "sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
