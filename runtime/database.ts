/** PrismaClient over node-postgres: no native query engine, so it runs anywhere Node runs. */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export type Database = PrismaClient;

export function createDatabase(databaseUrl: string): Database {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/** The organization every row belongs to until tenancy (roadmap) adds real ones. */
export const LOCAL_ORGANIZATION_ID = 'org_local';
