-- RAG documents of the retriever (issue 12). Chunk texts live here (the vector store keeps only vectors and
-- filter fields; the in-process BM25 index is rebuilt from these rows). Every key starts with the tenant.
-- Revisions come from one sequence, so a collection deleted and created again never repeats a revision that a
-- retriever instance may still hold a BM25 index for.
create sequence "rag_revision_seq";

create table "rag_collections" (
  "tenant_id" text not null,
  "name" text not null,
  -- Moved on every change, so each retriever instance knows when its BM25 index of the collection is stale.
  "revision" bigint not null default nextval('rag_revision_seq'),
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  primary key ("tenant_id", "name")
);

create table "rag_documents" (
  "tenant_id" text not null,
  "collection" text not null,
  "document_id" text not null,
  "version" integer not null,
  "content_sha256" text not null,
  "format" text not null,
  "title" text,
  "metadata" jsonb not null default '{}'::jsonb,
  "chunk_count" integer not null,
  "token_count" integer not null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  primary key ("tenant_id", "collection", "document_id"),
  foreign key ("tenant_id", "collection") references "rag_collections" ("tenant_id", "name") on delete cascade
);

create table "rag_chunks" (
  "tenant_id" text not null,
  "collection" text not null,
  "document_id" text not null,
  "ordinal" integer not null,
  "chunk_id" text not null,
  "text" text not null,
  "token_count" integer not null,
  primary key ("tenant_id", "collection", "document_id", "ordinal"),
  foreign key ("tenant_id", "collection", "document_id") references "rag_documents" ("tenant_id", "collection", "document_id") on delete cascade
);

create table "rag_ingest_jobs" (
  "tenant_id" text not null,
  "job_id" text not null,
  "collection" text not null,
  "documents_done" integer not null default 0,
  "documents_failed" integer not null default 0,
  "chunks_done" integer not null default 0,
  "last_error" text,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  primary key ("tenant_id", "job_id")
);
