export {
  DEFAULT_CHUNK_SECONDS,
  SEGMENT_SECONDS,
  chunksFor,
  partCountOf,
  planChunks,
  type Chunk,
  type ChunkPlanOptions,
  type ChunkingSettings,
} from './chunk-plan';
