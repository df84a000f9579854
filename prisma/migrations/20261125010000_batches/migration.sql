-- Batch runs: one workflow run per input item, each item an execution of its own.

-- CreateTable
CREATE TABLE "batches" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "workflow_version" INTEGER NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL,
    "max_concurrency" INTEGER NOT NULL,
    "total_items" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "batches_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "executions" ADD COLUMN     "batch_id" TEXT,
ADD COLUMN     "batch_index" INTEGER,
ADD COLUMN     "batch_queued" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "batches_organization_id_created_at_idx" ON "batches"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "executions_batch_id_status_idx" ON "executions"("batch_id", "status");

-- CreateIndex
CREATE INDEX "executions_batch_id_batch_queued_batch_index_idx" ON "executions"("batch_id", "batch_queued", "batch_index");

-- AddForeignKey
ALTER TABLE "batches" ADD CONSTRAINT "batches_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batches" ADD CONSTRAINT "batches_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;
