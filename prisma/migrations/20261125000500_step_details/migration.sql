-- Kind-specific node state (approval request and decision, locked source, map progress),
-- so a closed run shows what the live workflow showed.
ALTER TABLE "steps" ADD COLUMN "details" JSONB;
