-- Full-text search over transcript text (SQLite FTS5 in D1): an external-content index of transcript_segments,
-- written by the same D1 batch that inserts each segment (worker/db/transcripts.ts), so the two never disagree.
CREATE VIRTUAL TABLE `transcript_fts` USING fts5(`text`, `space_id` UNINDEXED, content='transcript_segments', content_rowid='id', tokenize='porter unicode61');
